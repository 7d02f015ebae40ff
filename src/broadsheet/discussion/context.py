"""What the post page needs to show its discussion: the rendered threads, paging and the form."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from broadsheet.accounts.comment_login import DRAFT_KEY, login_options, signed_in_with, take_draft
from broadsheet.core.converters import id_or_none
from broadsheet.discussion.addresses import comment_page_url
from broadsheet.discussion.cookies import pending_ids
from broadsheet.discussion.forms import CommentForm, field_row, shown_at_token
from broadsheet.discussion.models import Comment
from broadsheet.discussion.rendering import CommentRenderer
from broadsheet.discussion.selectors import comment_page_for_post
from broadsheet.discussion.services import comments_are_open
from broadsheet.moderation.models import DiscussionSettings
from broadsheet.publishing.models import Post

_MARKDOWN_HINT = (
    '<span class="comment-form-hint">Markdown works: *emphasis*, **strong**, '
    "[links](https://example.org), &gt; quotes, `code` and lists.</span>"
)


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
    )
    reply_to = None
    if reply_to_id:
        reply_to = Comment.objects.filter(
            pk=reply_to_id, post=post, status=Comment.Status.APPROVED, removed=False
        ).first()
    if form is None:
        initial: dict[str, Any] = {
            "post_id": post.pk,
            "parent_id": reply_to.pk if reply_to else 0,
            "shown_at": shown_at_token(),
        }
        # A comment typed before signing in (without JavaScript) comes back into the box.
        draft = take_draft(request, post.pk) if DRAFT_KEY in request.session else None
        if draft:
            initial.update({k: draft.get(k, "") for k in ("comment", "author", "email", "url")})
            if drafted_parent := id_or_none(draft.get("parent_id")):
                reply_to = (
                    reply_to
                    or Comment.objects.filter(
                        pk=drafted_parent, post=post, status=Comment.Status.APPROVED
                    ).first()
                )
                initial["parent_id"] = reply_to.pk if reply_to else 0
        form = CommentForm(initial=initial, require_name_email=settings.require_name_email)
    pages = [(n, comment_page_url(post, n, page.default)) for n in range(1, page.count + 1)]
    return {
        "discussion": {
            "settings": settings,
            # Not marked safe: that would copy a thread of 2 MB. The post page splices it in
            # after rendering (publishing.views.render_post), as the markup it already is.
            "comments_html": renderer.page(page),
            "page": page,
            "pages": pages,
            "previous_url": pages[page.number - 2][1] if page.number > 1 else "",
            "next_url": pages[page.number][1] if page.number < page.count else "",
            "open": is_open,
            "form": form,
            "comment_row": field_row(
                form["comment"], label="Comment", required=True, after=_MARKDOWN_HINT
            ),
            # The guest's fields, in order, marked when they must be filled.
            "identity_rows": [
                field_row(
                    form[name], label=label, required=settings.require_name_email and name != "url"
                )
                for name, label in (("author", "Name"), ("email", "Email"), ("url", "Website"))
            ],
            "reply_to": reply_to,
            # Each page has one address: the default page's own number, or one past the last,
            # leads to the page shown (so the card's #comment-N is the comment's address).
            "redirect_to": pages[page.number - 1][1]
            if cpage is not None and (cpage != page.number or cpage == page.default)
            else "",
            "error": error,
            "needs_login": settings.comment_registration and not request.user.is_authenticated,
            "login_options": login_options(request),
            "signed_in_with": signed_in_with(request) if request.user.is_authenticated else "",
        }
    }
