"""What a Webmention request must be before it is queued (W3C Webmention 3.2.1): a source and
a target, both http(s) addresses, not the same, and the target one of our public essays.
Each refusal is a sentence the sender's software shows its writer."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.urls import Resolver404, resolve

from broadsheet.publishing.models import Post
from broadsheet.publishing.selectors import post_for_permalink
from broadsheet.webmention.models import MAX_URL


class Refused(Exception):
    """Why a request is refused, in words (the 400's body)."""


@dataclass(frozen=True)
class Checked:
    source: str
    target: str
    post: Post


def checked(*, source: str | None, target: str | None, our_hosts: set[str]) -> Checked:
    if not source or not target:
        raise Refused("A Webmention needs both a source and a target address.")
    source, target = _address(source, "source"), _address(target, "target")
    if _same(source, target):
        raise Refused("The source and the target are the same address.")
    return Checked(source=source, target=target, post=target_post(target, our_hosts=our_hosts))


def _address(value: str, name: str) -> str:
    value = value.strip()
    if len(value) > MAX_URL:
        raise Refused(f"The {name} address is longer than {MAX_URL} characters.")
    parts = urlsplit(value)
    spaces = any(ord(character) < 33 or character == "\x7f" for character in value)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or spaces:
        raise Refused(f"The {name} must be an http or https address.")
    return value


def _same(a: str, b: str) -> bool:
    return a.split("#", 1)[0].rstrip("/") == b.split("#", 1)[0].rstrip("/")


def our_hosts(request_host: str) -> set[str]:
    """The hosts a target may name: the site's address and the host this request came to."""
    return {urlsplit(settings.SITE_URL).netloc.lower(), request_host.lower()}


def target_post(target: str, *, our_hosts: set[str]) -> Post:
    """The public essay the target names (its page or a page of its comments)."""
    parts = urlsplit(target)
    not_ours = Refused("The target is not a page of this site that accepts Webmentions.")
    if parts.netloc.lower() not in our_hosts:
        raise not_ours
    try:
        match = resolve(parts.path or "/")
    except Resolver404:
        raise not_ours from None
    if match.namespace != "publishing" or match.url_name not in ("post", "post_comment_page"):
        raise not_ours
    kwargs = {name: match.kwargs[name] for name in ("year", "month", "day", "slug")}
    try:
        found = post_for_permalink(user=AnonymousUser(), **kwargs)
    except Http404:
        raise not_ours from None
    if found.post is None or not found.post.is_public:
        raise not_ours
    return found.post
