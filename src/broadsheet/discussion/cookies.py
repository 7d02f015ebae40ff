"""The two per-person cookies of the discussion.

- `comment_author`: the guest's saved name, email and website (only when they ticked the box);
  read by a small script that fills in the form, so the page itself is the same for everyone.
- `broadsheet_pending`: signed ids of the reader's own comments awaiting moderation, so they,
  and nobody else, see them with "Your comment is awaiting moderation." Requests carrying it
  are answered privately (core.cache.personal_cookies). A guest's approved comment is listed
  too while they may still edit it (decision 0089), and only that long: each id carries its
  own end (30 days for a held comment, the edit window for an approved one), and the cookie
  lasts as long as its last id, so a guest who commented is served the shared, cached pages
  again once their window closes (decision 0125).
"""

from __future__ import annotations

import json
import time
from urllib.parse import quote, unquote

from django.core import signing
from django.http import HttpRequest, HttpResponse

AUTHOR_COOKIE = "comment_author"
PENDING_COOKIE = "broadsheet_pending"
_PENDING_SALT = "broadsheet.pending-comments"
_YEAR = 365 * 24 * 3600
_PENDING_MAX_AGE = HELD_SECONDS = 30 * 24 * 3600
_PENDING_KEEP = 20


def _pending(request: HttpRequest) -> dict[int, int]:
    """The cookie's ids with the time (epoch seconds) each stops being listed, ended ones
    left out. Cookies written before ids had an end list bare ids: held comments, 30 days."""
    raw = request.COOKIES.get(PENDING_COOKIE)
    if not raw:
        return {}
    try:
        items = signing.loads(raw, salt=_PENDING_SALT, max_age=_PENDING_MAX_AGE)
    except signing.BadSignature:
        return {}
    if not isinstance(items, list):
        return {}
    now, found = int(time.time()), {}
    for item in items:
        if isinstance(item, int):
            item = [item, now + HELD_SECONDS]
        listed = isinstance(item, list) and len(item) == 2
        if listed and all(isinstance(n, int) for n in item) and item[1] > now:
            found[item[0]] = item[1]
    return found


def pending_ids(request: HttpRequest) -> set[int]:
    return set(_pending(request))


def remember_pending(
    request: HttpRequest, response: HttpResponse, comment_id: int, *, seconds: int = HELD_SECONDS
) -> None:
    """List the comment for `seconds` (a held one: 30 days; an approved one: its edit window)."""
    now = int(time.time())
    ends = _pending(request)
    ends[comment_id] = max(ends.get(comment_id, 0), now + seconds)
    kept = sorted(ends.items())[-_PENDING_KEEP:]
    response.set_cookie(
        PENDING_COOKIE, signing.dumps([list(item) for item in kept], salt=_PENDING_SALT),
        max_age=max(end for _, end in kept) - now, httponly=True, samesite="Lax",
        secure=request.is_secure(),
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
