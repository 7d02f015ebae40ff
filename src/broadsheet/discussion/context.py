"""What the post page needs to show its discussion: the rendered threads, paging and the form."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from broadsheet.accounts.comment_login import DRAFT_KEY, login_options, signed_in_with, take_draft
from broadsheet.core.anchoring import Selector
from broadsheet.core.converters import id_or_none
from broadsheet.core.memo import Kept
from broadsheet.discussion.addresses import comment_page_url
from broadsheet.discussion.cookies import pending_ids
from broadsheet.discussion.forms import ANCHOR_PARTS, CommentForm, field_row, shown_at_token
from broadsheet.discussion.likes import post_like_count
from broadsheet.discussion.margins import margins_for
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.discussion.rendering import CommentRenderer, version_notes
from broadsheet.discussion.selectors import Node, comment_page_for_post
from broadsheet.discussion.services import comments_are_open, edit_minutes
from broadsheet.publishing.models import Post


def _markdown_hint() -> str:
    # Translators: the Markdown marks (*, **, [](), >, ``) are typed as they are.
    hint = _(
        "Markdown works: *emphasis*, **strong**, [links](https://example.org), > quotes, "
        "`code` and lists."
    )
    return f'<span class="comment-form-hint">{escape(hint)}</span>'


def discussion_context(
    request: HttpRequest,
    *,
    post: Post,
    cpage: int | None = None,
    form: CommentForm | None = None,
    reply_to_id: int | None = None,
    error: str = "",
) -> dict[str, Any]:
    settings = DiscussionSettings.current()
    mine = pending_ids(request)
    page = comment_page_for_post(post=post, page=cpage, settings=settings, pending_ids=mine)
    is_open = comments_are_open(post=post, settings=settings)
    author_ids = [link.author_id for link in getattr(post, "author_links", [])]
    renderer = CommentRenderer(
        settings=settings,
        post_author_ids=author_ids,
        can_reply=is_open,
        post_url=post.get_absolute_url(),
        versions=version_notes(post, page.in_order),
        editable=_editable(request, page.in_order, mine),
        can_pin=_may_pin(request, author_ids, settings),
    )
    if request.user.is_authenticated:  # a personal page: its forms carry the token
        renderer.csrf_token = get_token(request)
    # The comment the page is opened on (its Reply page, or `?c=N`): its Like and Report are
    # written out for readers without JavaScript (decision 0111).
    renderer.focus = id_or_none(request.GET.get("c")) or reply_to_id
    pages = [(n, comment_page_url(post, n, page.default)) for n in range(1, page.count + 1)]
    # Closed: no form is shown, so none is built (nor its token minted, core.pagecache).
    discussion = (
        comment_form_context(
            request, post=post, settings=settings, form=form, reply_to_id=reply_to_id, error=error
        )
        if is_open
        else {"settings": settings, "reply_to": None}
    )
    discussion.update(
        {
            # Not marked safe: that would copy a thread of 2 MB. The post page splices it in
            # after rendering (publishing.views.render_post), as the markup it already is.
            "comments_html": renderer.page(page),
            "page": page,
            "pages": pages,
            "previous_url": pages[page.number - 2][1] if page.number > 1 else "",
            "next_url": pages[page.number][1] if page.number < page.count else "",
            "open": is_open,
            # Each page has one address: the default page's own number, or one past the last,
            # leads to the page shown (so the card's #comment-N is the comment's address).
            "redirect_to": pages[page.number - 1][1]
            if cpage is not None and (cpage != page.number or cpage == page.default)
            else "",
            "error": error,
            # The margin of the essay: which passages have responses (one query).
            "margins": margins_for(post, respond=is_open),
            # Likes of the essay itself, when the site counts them (one query then).
            "post_likes": post_like_count(post.pk) if settings.post_likes else None,
        }
    )
    return {"discussion": discussion}


def _editable(request: HttpRequest, shown: list[Node], mine: set[int]) -> set[int]:
    """The reader's own comments on the page still in their edit window: an account's by its
    session, a guest's by the signed cookie listing theirs. Nothing to look at on the
    anonymous (cached) page, which has neither."""
    me = request.user.pk if request.user.is_authenticated else None
    if me is None and not mine:
        return set()
    since = timezone.now() - timedelta(minutes=edit_minutes())
    return {
        node.pk
        for node in shown
        if ((me is not None and node.user_id == me) or (node.user_id is None and node.pk in mine))
        and _aware(node.created_at) > since
        and not node.removed
    }


def _aware(moment: datetime | str) -> datetime:
    """A page's node carries its date as the row's text (discussion.selectors._rows); a date
    from SQLite has no zone, and the database keeps UTC."""
    if isinstance(moment, str):
        parsed = parse_datetime(moment)
        if parsed is None:
            raise ValueError(f"Not a date: {moment!r}")
        moment = parsed
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)


def _may_pin(request: HttpRequest, author_ids: list[int], settings: DiscussionSettings) -> bool:
    user = request.user
    if not settings.max_pinned or not user.is_authenticated:
        return False
    return user.pk in author_ids or (user.is_staff and user.has_perm("discussion.change_comment"))


def _reply_to(post: Post, pk: int | None) -> Comment | None:
    if not pk:
        return None
    return Comment.objects.filter(
        pk=pk, post=post, status=Comment.Status.APPROVED, removed=False
    ).first()


def _unbound_form(
    request: HttpRequest,
    *,
    post: Post,
    settings: DiscussionSettings,
    reply_to: Comment | None,
    anchor: Selector | None,
) -> tuple[CommentForm, Comment | None]:
    """A fresh form; a comment typed before signing in (without JavaScript) comes back into
    the box, with the comment it replied to."""
    initial: dict[str, Any] = {
        "post_id": post.pk,
        "parent_id": reply_to.pk if reply_to else 0,
        "shown_at": shown_at_token(),
    }
    if anchor is not None:
        initial.update({f"anchor_{k}": getattr(anchor, k) for k in ANCHOR_PARTS})
    draft = take_draft(request, post.pk) if DRAFT_KEY in request.session else None
    if draft:
        initial.update({k: draft.get(k, "") for k in ("comment", "author", "email", "url")})
        reply_to = reply_to or _reply_to(post, id_or_none(draft.get("parent_id")))
        initial["parent_id"] = reply_to.pk if reply_to else 0
    form = CommentForm(initial=initial, require_name_email=settings.require_name_email)
    return form, reply_to


def comment_form_context(
    request: HttpRequest,
    *,
    post: Post,
    settings: DiscussionSettings,
    form: CommentForm | None = None,
    reply_to_id: int | None = None,
    anchor: Selector | None = None,
    error: str = "",
    fields: bool = False,
) -> dict[str, Any]:
    """The comment form alone (the post page's, and the no-JavaScript page that responds to
    one passage, `anchor`, which does not need the thread). `fields`: with the form's fields
    even for a reader who would get the kept markup (the identity part, rendered alone)."""
    reply_to = _reply_to(post, reply_to_id)
    plain = form is None and reply_to is None and anchor is None and not error
    if plain and not fields and _fresh_form_for(request):
        return _fresh_form_context(request, post=post, settings=settings)
    if form is None:
        form, reply_to = _unbound_form(
            request, post=post, settings=settings, reply_to=reply_to, anchor=anchor
        )
    return _form_context(request, settings=settings, form=form, reply_to=reply_to)


def _form_context(
    request: HttpRequest,
    *,
    settings: DiscussionSettings,
    form: CommentForm,
    reply_to: Comment | None,
) -> dict[str, Any]:
    return {
        "form": form,
        "comment_row": field_row(
            form["comment"], label=_("Comment"), required=True, after=_markdown_hint()
        ),
        # The guest's fields, in order, marked when they must be filled.
        "identity_rows": [
            field_row(
                form[name], label=label, required=settings.require_name_email and name != "url"
            )
            for name, label in (("author", _("Name")), ("email", _("Email")), ("url", _("Website")))
        ],
        **_around_form(request, settings=settings, reply_to=reply_to),
    }


def _around_form(
    request: HttpRequest, *, settings: DiscussionSettings, reply_to: Comment | None
) -> dict[str, Any]:
    """What the discussion shows around the form: its heading, the sign-in choices."""
    return {
        "settings": settings,
        "reply_to": reply_to,
        "needs_login": settings.comment_registration and not request.user.is_authenticated,
        "login_options": login_options(request),
        "signed_in_with": signed_in_with(request) if request.user.is_authenticated else "",
    }


def _fresh_form_for(request: HttpRequest) -> bool:
    """Whether the reader gets the form as anyone does: no account, no comment of theirs
    brought back from signing in."""
    return not request.user.is_authenticated and DRAFT_KEY not in request.session


# The empty form a reader without an account is shown is the same markup for everyone
# but its `shown_at` token: each web process keeps it per post, language and the settings
# and sign-in choices it shows (decision 0129), and writes the token in for each page.
_FRESH_FORMS: Kept[tuple[Any, ...], str] = Kept(256)
_TOKEN_MARK = "shown-at-" + uuid.uuid4().hex


def _fresh_form_context(
    request: HttpRequest, *, post: Post, settings: DiscussionSettings
) -> dict[str, Any]:
    context = _around_form(request, settings=settings, reply_to=None)
    fields = tuple(getattr(settings, f.attname) for f in settings._meta.concrete_fields)
    key = (post.pk, post.get_absolute_url(), get_language(), fields, *context["login_options"])
    html = _FRESH_FORMS.get(key)
    if html is None:
        form = CommentForm(
            initial={"post_id": post.pk, "parent_id": 0, "shown_at": _TOKEN_MARK},
            require_name_email=settings.require_name_email,
        )
        whole = _form_context(request, settings=settings, form=form, reply_to=None)
        whole["error"] = ""
        html = render_to_string(
            "discussion/_form.html", {"d": whole, "discussion": whole, "user": request.user}
        )
        _FRESH_FORMS.put(key, html)
    return {**context, "form_html": mark_safe(html.replace(_TOKEN_MARK, shown_at_token(), 1))}
