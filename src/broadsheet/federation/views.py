"""ActivityPub's addresses: WebFinger, NodeInfo, actors, inboxes, outboxes, followers, the
essays as Articles and the answers as Notes. All answer 404 while FEDERATION_ENABLED is off."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from broadsheet.accounts.models import User
from broadsheet.core.cache import cache_policy
from broadsheet.core.pagecache import page_shows_post
from broadsheet.federation import documents, handlers, inbox, selectors, services
from broadsheet.federation.models import LocalActor, Outgoing
from broadsheet.publishing.models import Post

logger = logging.getLogger(__name__)
PAGE_SIZE = 20
_TEXT = "text/plain; charset=utf-8"


def _on(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.FEDERATION_ENABLED:
            raise Http404("Federation is off.")
        try:
            return view(request, *args, **kwargs)
        except Gone as gone:
            return _gone(str(gone))

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def activity_json(document: dict[str, Any], status: int = 200) -> JsonResponse:
    if "@context" not in document:
        document = {"@context": documents.AS, **document}
    return JsonResponse(document, status=status, content_type=documents.CONTENT_TYPE,
                        json_dumps_params={"ensure_ascii": False})  # fmt: skip


class Gone(Exception):
    """The actor left the fediverse (federation_leave)."""


def local_actor(username: str) -> LocalActor:
    """The site's actor or an author's (made with its keys on first use); 404 for anyone
    who has not written a public essay; Gone for an actor that left."""
    left = LocalActor.objects.filter(username=username).exclude(left_at=None).exists()
    if left:
        raise Gone(username)
    if username == documents.SITE_ACTOR:
        return services.site_actor()
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None or not selectors.is_author(user):
        raise Http404("No such actor.")
    return services.author_actor(user)


def _gone(username: str) -> HttpResponse:
    tomb = {"id": documents.actor_uri(username), "type": "Tombstone"}
    return activity_json(tomb, status=410)


@require_safe
@cache_policy("public", max_age=3600)
@_on
def webfinger(request: HttpRequest) -> HttpResponse:
    resource = request.GET.get("resource", "")
    name, _, host = resource.removeprefix("acct:").lstrip("@").partition("@")
    if not resource or (host and host.lower() != documents.host().lower()):
        raise Http404("Not an account here.")
    if not host:  # the actor's address itself
        found = handlers._local(resource)
        if found is None or found[0] != "federation:actor":
            raise Http404("Not an account here.")
        name = found[1]["username"]
    actor = local_actor(name)
    return JsonResponse(documents.webfinger(actor.username), content_type="application/jrd+json")


@require_safe
@cache_policy("public", max_age=3600)
@_on
def nodeinfo_links(request: HttpRequest) -> HttpResponse:
    href = documents.absolute("/nodeinfo/2.1")
    schema = "http://nodeinfo.diaspora.software/ns/schema/2.1"
    return JsonResponse({"links": [{"rel": schema, "href": href}]})


@require_safe
@cache_policy("public", max_age=3600)
@_on
def nodeinfo(request: HttpRequest) -> HttpResponse:
    authors = LocalActor.objects.exclude(user=None).count()
    posts = Post.objects.filter(kind=Post.Kind.POST, status=Post.Status.PUBLISHED).count()
    document = documents.nodeinfo(users=authors, posts=posts)
    profile = "http://nodeinfo.diaspora.software/ns/schema/2.1#"
    return JsonResponse(document, content_type=f'application/json; profile="{profile}"')


@require_safe
@cache_policy("public", max_age=300)
@_on
def actor(request: HttpRequest, username: str) -> HttpResponse:
    return activity_json(documents.actor(local_actor(username)))


@require_safe
@cache_policy("public", max_age=300)
@_on
def followers(request: HttpRequest, username: str) -> HttpResponse:
    """The number is public; who they are is for the author (the admin lists them)."""
    found = local_actor(username)
    uri = documents.followers_uri(username)
    count = selectors.follower_count(found.pk)
    return activity_json({"id": uri, "type": "OrderedCollection", "totalItems": count})


@require_safe
@cache_policy("public", max_age=300)
@_on
def outbox(request: HttpRequest, username: str) -> HttpResponse:
    found = local_actor(username)
    uri = documents.absolute(request.path)
    sent = Outgoing.objects.filter(actor=found, kind__in=("Create", "Update", "Announce"),
                                   comment=None).order_by("-created_at", "-pk")  # fmt: skip
    pages = Paginator(sent.values_list("document", flat=True), PAGE_SIZE)
    page_number = request.GET.get("page", "")
    if not page_number:
        return activity_json({"id": uri, "type": "OrderedCollection", "totalItems": pages.count,
                              "first": f"{uri}?page=1"})  # fmt: skip
    if not page_number.isdigit() or not 1 <= int(page_number) <= max(pages.num_pages, 1):
        raise Http404("No such page.")
    page = pages.page(int(page_number))
    document: dict[str, Any] = {"id": f"{uri}?page={page.number}", "type": "OrderedCollectionPage",
                                "partOf": uri, "orderedItems": list(page.object_list)}  # fmt: skip
    if page.has_next():
        document["next"] = f"{uri}?page={page.next_page_number()}"
    return activity_json(document)


def article_response(post: Post) -> HttpResponse:
    """An essay as an Article; 410 with a Tombstone once it was sent and is no longer public."""
    page_shows_post(post.pk)
    author = selectors.post_author(post)
    if not post.is_public:
        tomb = {"id": documents.article_uri(post.pk), "type": "Tombstone"}
        return activity_json(tomb, status=410)
    name = author.username if author is not None else documents.SITE_ACTOR
    return activity_json({"@context": documents.AS, **documents.article(post, author=name)})


@require_safe
@cache_policy("public", max_age=300)
@_on
def article(request: HttpRequest, post_id: int) -> HttpResponse:
    post = get_object_or_404(Post, pk=post_id, kind=Post.Kind.POST)
    if not post.is_public and selectors.last_sent(post.pk) is None:
        raise Http404("No such essay.")
    return article_response(post)


@require_safe
@cache_policy("public", max_age=300)
@_on
def note(request: HttpRequest, comment_id: int) -> HttpResponse:
    sent = selectors.sent_answer(comment_id)
    if sent is None:
        raise Http404("No such note.")
    if sent.kind == "Delete":
        return activity_json({"id": documents.note_uri(comment_id), "type": "Tombstone"}, 410)
    return activity_json(sent.document["object"])


@require_safe
@cache_policy("public", max_age=3600)
@_on
def activity(request: HttpRequest, token: str) -> HttpResponse:
    sent = get_object_or_404(Outgoing, token=token)
    return activity_json(sent.document)


@csrf_exempt  # other servers post here, signed: there is no session of ours to protect
@require_POST
@cache_policy("never")
@_on
def receive(request: HttpRequest, username: str | None = None) -> HttpResponse:
    """An inbox (an actor's or the shared one): checked, then handled; 202 when accepted."""
    try:
        delivered = inbox.checked(request, inbox.body_of(request))
    except inbox.Refused as why:
        logger.info("Refused a delivery (%s): %s", why.status, why)
        return HttpResponse(f"{why}\n", status=why.status, content_type=_TEXT)
    if username is not None:
        local_actor(username)  # 404 or 410 for an inbox nobody has
    outcome = handlers.handle(delivered)
    logger.info("%s from %s: %s", delivered.activity["type"], delivered.actor.uri, outcome)
    return HttpResponse(f"{outcome}\n", status=202, content_type=_TEXT)
