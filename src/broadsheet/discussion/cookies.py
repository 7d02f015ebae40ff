"""The two per-person cookies of the discussion.

- `comment_author`: the guest's saved name, email and website (only when they ticked the box);
  read by a small script that fills in the form, so the page itself is the same for everyone.
- `broadsheet_pending`: signed ids of the reader's own comments awaiting moderation, so they,
  and nobody else, see them with "Your comment is awaiting moderation." Requests carrying it
  are answered privately (core.cache.personal_cookies).
"""

from __future__ import annotations

import json
from urllib.parse import quote, unquote

from django.core import signing
from django.http import HttpRequest, HttpResponse

AUTHOR_COOKIE = "comment_author"
PENDING_COOKIE = "broadsheet_pending"
_PENDING_SALT = "broadsheet.pending-comments"
_YEAR = 365 * 24 * 3600
_PENDING_MAX_AGE = 30 * 24 * 3600
_PENDING_KEEP = 20


def pending_ids(request: HttpRequest) -> set[int]:
    raw = request.COOKIES.get(PENDING_COOKIE)
    if not raw:
        return set()
    try:
        ids = signing.loads(raw, salt=_PENDING_SALT, max_age=_PENDING_MAX_AGE)
    except signing.BadSignature:
        return set()
    return {i for i in ids if isinstance(i, int)} if isinstance(ids, list) else set()


def remember_pending(request: HttpRequest, response: HttpResponse, comment_id: int) -> None:
    ids = [*sorted(pending_ids(request)), comment_id][-_PENDING_KEEP:]
    response.set_cookie(
        PENDING_COOKIE, signing.dumps(ids, salt=_PENDING_SALT), max_age=_PENDING_MAX_AGE,
        httponly=True, samesite="Lax", secure=request.is_secure(),
    )  # fmt: skip


def remember_author(
    request: HttpRequest, response: HttpResponse, *, consent: bool, name: str, email: str, url: str
) -> None:
    """Saved only with the commenter's consent; unticking the box forgets them (as WordPress)."""
    if not consent:
        if AUTHOR_COOKIE in request.COOKIES:
            response.delete_cookie(AUTHOR_COOKIE, samesite="Lax")
        return
    # Every character but letters, digits and "_.-~" percent-encoded: a "/" (any website has
    # one) would make Django quote the whole value, and the form's script would not read it.
    details = json.dumps({"name": name, "email": email, "url": url}, separators=(",", ":"))
    value = quote(details, safe="")
    # Not HttpOnly: the form script reads it to fill in the fields.
    response.set_cookie(
        AUTHOR_COOKIE, value, max_age=_YEAR, samesite="Lax", secure=request.is_secure()
    )


def saved_author(request: HttpRequest) -> dict[str, str]:
    try:
        data = json.loads(unquote(request.COOKIES.get(AUTHOR_COOKIE, "")))
    except ValueError:
        return {}
    return (
        {k: str(v) for k, v in data.items() if k in ("name", "email", "url")}
        if isinstance(data, dict)
        else {}
    )
