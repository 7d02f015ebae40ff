from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.conf import settings as django_settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from broadsheet.core.anchoring import whole
from broadsheet.core.cache import cache_policy
from broadsheet.core.converters import id_or_none
from broadsheet.core.origin import cross_site_refusal
from broadsheet.discussion.addresses import comment_address
from broadsheet.discussion.context import comment_form_context, discussion_context
from broadsheet.discussion.cookies import pending_ids, remember_author, remember_pending
from broadsheet.discussion.forms import (
    CommentForm,
    OwnEditForm,
    comment_form_followups,
    seconds_since,
)
from broadsheet.discussion.likes import NotLikeable, comment_like, post_like
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.discussion.pins import PinRefused, comment_pin
from broadsheet.discussion.readers import reader_of, remember_reader
from broadsheet.discussion.rendering import CommentRenderer
from broadsheet.discussion.services import (
    Commenter,
    CommentRejected,
    comment_edit_own,
    comment_submit,
    comment_withdraw,
    comments_are_open,
    edit_minutes,
    edit_window_open,
    own_comment,
    window_closed_message,
)
from broadsheet.publishing.models import Post
from broadsheet.publishing.passages import post_passages
from broadsheet.publishing.selectors import (
    page_for_path,
    post_for_comment_submit,
    post_for_comments,
    post_for_permalink,
)


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


# Translated only when a POST is refused (each gettext costs a few µs on every POST).
_COMMENTS_CROSS_SITE = gettext_lazy("Comments can only be posted from this site.")
_LIKES_CROSS_SITE = gettext_lazy("Likes can only be given from this site.")


def _client_ip(request: HttpRequest) -> str | None:
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if django_settings.TRUST_X_FORWARDED_FOR and forwarded:
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")


@csrf_exempt  # the page is the same for every reader, so it carries no token; see below
@require_POST
@cache_policy("never")
def comment_post(request: HttpRequest) -> HttpResponse:
    """WordPress's wp-comments-post.php: check, save, then go to the new comment.

    Guests need no CSRF token: a forged guest comment is no worse than a real one, and the
    session cookie is SameSite=Lax, so a cross-site form cannot post as a signed-in reader.
    Signed-in readers (whose pages are private and carry a token) are checked as usual.
    """
    refused = cross_site_refusal(request, _COMMENTS_CROSS_SITE)
    if refused is not None:
        return refused
    settings = DiscussionSettings.current()
    form = CommentForm(request.POST, require_name_email=settings.require_name_email)
    form.is_valid()
    data = form.cleaned_data
    post = post_for_comment_submit(pk=data.get("post_id"), user=request.user)
    if post is None:
        message = _("Sorry, the post you are commenting on does not exist.")
        if _wants_json(request):
            return JsonResponse({"ok": False, "message": message}, status=404)
        return render(request, "discussion/refused.html", {"message": message}, status=404)
    try:
        comment = _submitted(request, post, form)
    except CommentRejected as rejected:
        return _refused(request, post, form, rejected)
    for followup in comment_form_followups():  # the "Notify me" boxes
        followup(comment=comment, post=post, data=data)
    url = comment_address(comment=comment, settings=settings)
    response: HttpResponse = (
        _posted_json(comment, post, url, settings)
        if _wants_json(request)
        else HttpResponseRedirect(url)
    )
    _remember(request, response, comment, data)
    return response


def _submitted(request: HttpRequest, post: Post, form: CommentForm) -> Comment:
    """The form's comment through the action (which may refuse it: CommentRejected)."""
    data = form.cleaned_data
    return comment_submit(
        post=post,
        commenter=Commenter(
            user=request.user,
            name=data.get("author") or "",
            email=data.get("email") or "",
            url=data.get("url") or "",
        ),
        body=data.get("comment") or "",
        parent_id=data.get("parent_id") or None,
        ip_address=_client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
        honeypot=data.get("hp") or "",
        seconds_on_page=seconds_since(data.get("shown_at") or ""),
        anchor=form.anchor(),
    )


def _posted_json(
    comment: Comment, post: Post, url: str, settings: DiscussionSettings
) -> HttpResponse:
    """The script's answer: the new comment's card to put in place, and the new count."""
    renderer = CommentRenderer(
        settings=settings,
        # Marks a post author's comment; a guest's never is one.
        post_author_ids=list(post.authors.values_list("pk", flat=True)) if comment.user_id else [],
        post_url=post.get_absolute_url(),
    )
    shown = (Comment.Status.APPROVED, Comment.Status.PENDING, Comment.Status.SPAM)
    return JsonResponse(
        {
            "ok": True,
            "id": comment.pk,
            "status": comment.status,
            "parent": comment.parent_id,
            "url": url,
            "html": renderer.single(comment) if comment.status in shown else "",
            "count": Post.objects.filter(pk=post.pk)
            .values_list("comment_count", flat=True)
            .first(),
        },
        status=201,
    )


def _remember(
    request: HttpRequest, response: HttpResponse, comment: Comment, data: dict[str, Any]
) -> None:
    """The writer's cookies: their held comment (a guest's approved one too, so they may edit
    it in its window: decision 0089, 0125), and a guest's details when they asked."""
    if comment.status != Comment.Status.APPROVED:
        remember_pending(request, response, comment.pk)
    elif not request.user.is_authenticated and edit_minutes():
        remember_pending(request, response, comment.pk, seconds=60 * edit_minutes())
    if not request.user.is_authenticated:
        remember_author(
            request,
            response,
            consent=bool(data.get("cookies_consent")),
            name=comment.author_name,
            email=comment.author_email,
            url=comment.author_url,
        )


def _refused(
    request: HttpRequest, post: Post, form: CommentForm, rejected: CommentRejected
) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            {"ok": False, "message": rejected.message, "field": rejected.field},
            status=rejected.status,
        )
    if rejected.field:
        form.add_error(rejected.field, rejected.message)
    from broadsheet.publishing.views import render_post

    # The page is shown again: now the whole post, with what the page shows of it.
    shown = post_for_comments(pk=post.pk, user=request.user)
    if shown is None:
        raise Http404("No such post.")
    reply_to = form.cleaned_data.get("parent_id") or None
    context = discussion_context(
        request,
        post=shown,
        form=form,
        reply_to_id=reply_to,
        error="" if rejected.field else rejected.message,
    )
    return render_post(request, shown, extra=context, status=rejected.status)


def _post_at(request: HttpRequest, where: dict[str, Any]) -> Post | str:
    """The post (or page) a respond address names, if the reader may see it; or, for a post
    at an older address, where it is now."""
    if "path" in where:
        return page_for_path(user=request.user, path=where["path"])
    found = post_for_permalink(user=request.user, **where)
    return found.post if found.post is not None else (found.redirect_to or "/")


@require_safe
@cache_policy("never")  # a form with a time token, for the few readers without JavaScript
def passage_respond(request: HttpRequest, passage: str, **where: Any) -> HttpResponse:
    """`<post url>respond/<passage>/`: the comment form with one passage quoted whole; each
    passage's "Respond" control leads here (with JavaScript the post page's own form opens)."""
    post = _post_at(request, where)
    if isinstance(post, str):
        return HttpResponsePermanentRedirect(f"{post}respond/{quote(passage, safe='')}/")
    found = next((p for p in post_passages(post) if p.id == passage), None)
    if found is None:
        raise Http404("The essay has no such passage.")
    settings = DiscussionSettings.current()
    if not comments_are_open(post=post, settings=settings):
        message = _("Sorry, comments are closed for this item.")
        return render(request, "discussion/refused.html", {"message": message}, status=403)
    discussion = comment_form_context(request, post=post, settings=settings, anchor=whole(found))
    context = {
        "post": post,
        "post_url": post.get_absolute_url(),
        "passage": found,
        "discussion": discussion,
    }
    return render(request, "discussion/respond.html", context)


@require_safe
@cache_policy("public")
def comment_permalink(request: HttpRequest, pk: int) -> HttpResponse:
    """/comment/N/ → the post page that shows it, at #comment-N."""
    comment = get_object_or_404(
        Comment.objects.select_related("post"), pk=pk, status=Comment.Status.APPROVED
    )
    if not comment.post.is_public:
        raise Http404("No such comment.")
    return HttpResponseRedirect(
        comment_address(comment=comment, settings=DiscussionSettings.current())
    )


@require_safe
@cache_policy("never")
def comment_identity(request: HttpRequest) -> HttpResponse:
    """The "who is commenting" part of the form, fetched after a popup sign-in.

    Only that part is replaced, so the comment being written stays in its box.
    """
    post = post_for_comments(pk=id_or_none(request.GET.get("post")), user=request.user)
    if post is None:
        raise Http404("No such post.")
    settings = DiscussionSettings.current()
    discussion = comment_form_context(request, post=post, settings=settings, fields=True)
    html = render_to_string(
        "discussion/_identity.html", {"discussion": discussion}, request=request
    )
    return JsonResponse({"html": html, "signed_in": request.user.is_authenticated})


# --- the reader's own comment, likes and pins (issue 22) ----------------------------------


def _own_or_404(request: HttpRequest, pk: int) -> Comment:
    comment = own_comment(pk=pk, user=request.user, guest_ids=pending_ids(request))
    if comment is None:
        raise Http404("You have no comment with this id.")
    return comment


def _closed(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"ok": False, "message": window_closed_message()}, status=403)
    return render(
        request, "discussion/refused.html", {"message": window_closed_message()}, status=403
    )


@require_http_methods(["GET", "HEAD", "POST"])
@cache_policy("never")
def comment_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    """`/comment/N/edit/`: the writer's own comment in a form, for its edit window."""
    comment = _own_or_404(request, pk)
    if not edit_window_open(comment):
        return _closed(request)
    form = OwnEditForm(
        request.POST if request.method == "POST" else None, initial={"comment": comment.body}
    )
    if request.method == "POST" and form.is_valid():
        try:
            comment = comment_edit_own(
                comment=comment,
                body=form.cleaned_data["comment"],
                editor_id=request.user.pk if request.user.is_authenticated else None,
            )
        except CommentRejected as rejected:
            if rejected.code == "edit_window_closed":
                return _closed(request)
            form.add_error("comment", rejected.message)
        else:
            return _edited(request, comment)
    if _wants_json(request):
        return JsonResponse({"ok": False, "message": " ".join(str(e) for e in form.errors.get("comment", []))},
                            status=400)  # fmt: skip
    context = {"comment": comment, "form": form, "post": comment.post, "minutes": edit_minutes()}
    return render(request, "discussion/edit.html", context, status=400 if form.errors else 200)


def _edited(request: HttpRequest, comment: Comment) -> HttpResponse:
    settings = DiscussionSettings.current()
    url = comment_address(comment=comment, settings=settings)
    response: HttpResponse
    if _wants_json(request):
        response = JsonResponse({"ok": True, "status": comment.status, "url": url,
                                 "html": comment.body_html})  # fmt: skip
    else:
        response = HttpResponseRedirect(url)
    if comment.status != Comment.Status.APPROVED:
        remember_pending(request, response, comment.pk)  # held by the edit: still theirs to see
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@cache_policy("never")
def comment_delete_page(request: HttpRequest, pk: int) -> HttpResponse:
    """`/comment/N/delete/`: asks, then deletes the writer's own comment in its window."""
    comment = _own_or_404(request, pk)
    if not edit_window_open(comment):
        return _closed(request)
    if request.method != "POST":
        return render(request, "discussion/delete.html", {"comment": comment,
                                                          "post": comment.post})  # fmt: skip
    post_url = comment.post.get_absolute_url()
    try:
        comment_withdraw(comment=comment)
    except CommentRejected:
        return _closed(request)
    if _wants_json(request):
        return JsonResponse({"ok": True})
    return HttpResponseRedirect(f"{post_url}#comments")


@csrf_exempt  # the cached page carries no token: checked as the comment form is
@require_POST
@cache_policy("never")
def comment_like_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/comment/N/like/`: one like per reader; back to the comment, or its count as JSON."""
    refused = cross_site_refusal(request, _LIKES_CROSS_SITE)
    if refused is not None:
        return refused
    if not DiscussionSettings.current().comment_likes:
        raise Http404("Likes are off.")
    reader = reader_of(request, _client_ip(request))
    try:
        count = comment_like(comment_id=pk, reader=reader)
    except NotLikeable:
        raise Http404("No such comment.") from None
    response: HttpResponse
    if _wants_json(request):
        response = JsonResponse({"ok": True, "count": count})
    else:
        response = HttpResponseRedirect(_back_to(pk))
    remember_reader(request, response, reader)
    return response


def _back_to(pk: int) -> str:
    """The comment's page with a query string: rendered for the liker, never stored, and not
    the copy of the page their browser kept (public pages may be kept for a minute)."""
    comment = Comment.objects.select_related("post").get(pk=pk)
    address = comment_address(comment=comment, settings=DiscussionSettings.current())
    page, _, anchor = address.partition("#")
    return f"{page}{'&' if '?' in page else '?'}liked={pk}#{anchor}"


@require_POST
@cache_policy("never")
def comment_pin_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/comment/N/pin/` (pin=1) or unpin (pin=0), for the post's authors and moderators."""
    comment = get_object_or_404(Comment.objects.select_related("post"), pk=pk)
    try:
        comment_pin(comment=comment, user=request.user, pin=request.POST.get("pin") == "1",
                    most=DiscussionSettings.current().max_pinned)  # fmt: skip
    except PinRefused as refused:
        return render(request, "discussion/refused.html", {"message": refused.message},
                      status=refused.status)  # fmt: skip
    return HttpResponseRedirect(f"{comment.post.get_absolute_url()}#comment-{pk}")


@csrf_exempt  # as a comment's like
@require_POST
@cache_policy("never")
def post_like_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/post-like/N/`: a reader likes the essay (when the site counts essays' likes)."""
    refused = cross_site_refusal(request, _LIKES_CROSS_SITE)
    if refused is not None:
        return refused
    post = Post.objects.public().filter(pk=pk).first()
    if post is None or not DiscussionSettings.current().post_likes:
        raise Http404("No such post.")
    reader = reader_of(request, _client_ip(request))
    count = post_like(post_id=post.pk, reader=reader)
    response: HttpResponse
    if _wants_json(request):
        response = JsonResponse({"ok": True, "count": count})
    else:
        response = HttpResponseRedirect(f"{post.get_absolute_url()}#comments")
    remember_reader(request, response, reader)
    return response
