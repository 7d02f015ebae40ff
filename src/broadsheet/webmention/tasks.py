"""The worker's part of Webmention: verifying a mention received, and sending the essay's."""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from broadsheet.core import safefetch
from broadsheet.core.safefetch import Answer, FetchRefused
from broadsheet.webmention import discover, parse, services
from broadsheet.webmention.models import Mention, Sent

logger = logging.getLogger(__name__)
ATTEMPTS = 4  # sending: the first try and three more, each after a longer wait
_BACKOFF = (timedelta(minutes=1), timedelta(minutes=10), timedelta(hours=1))
_AGENT = "Broadsheet Webmention (+{site})"


def limits() -> safefetch.Limits:
    return safefetch.Limits(
        max_bytes=settings.WEBMENTION_MAX_KB * 1024,
        timeout=float(settings.WEBMENTION_TIMEOUT),
        allow_local=settings.WEBMENTION_ALLOW_PRIVATE,
        setting="WEBMENTION_TIMEOUT",
        size_setting="WEBMENTION_MAX_KB",
    )


def _headers(accept: str = "text/html") -> dict[str, str]:
    return {"User-Agent": _AGENT.format(site=settings.SITE_URL), "Accept": accept,
            "Accept-Encoding": "identity"}  # fmt: skip


@task()
def verify_mention(mention_id: int) -> str:
    """Fetch the source and accept, refuse or remove the mention (W3C Webmention 3.2.2)."""
    mention = Mention.objects.select_related("post", "comment").filter(pk=mention_id).first()
    if mention is None:
        return "gone"
    try:
        answer = safefetch.fetch(
            mention.source, limits=limits(), headers=_headers(),
            want_body=lambda status, headers: status == 200,
        )  # fmt: skip
    except FetchRefused as why:
        return services.mention_refuse(mention=mention, reason=f"The source: {why}.").status
    return _verified(mention, answer).status


def _verified(mention: Mention, answer: Answer) -> Mention:
    gone = mention.comment is not None and answer.status in (404, 410)
    if answer.status == 410 or gone:
        return services.mention_remove(
            mention=mention, reason=f"The source answered {answer.status}."
        )
    if answer.status != 200:
        return services.mention_refuse(
            mention=mention, reason=f"The source answered {answer.status}."
        )
    tree = parse.document(answer.body, answer.url)
    if tree is None or not parse.links_to(tree, answer.url, mention.target):
        why = "The source does not link to the target."
        if mention.comment is not None:
            return services.mention_remove(mention=mention, reason=why)
        return services.mention_refuse(mention=mention, reason=why)
    read = parse.read(answer.body, answer.url, mention.target)
    return services.mention_accept(mention=mention, read=read)


@task()
def send_webmentions(post_id: int) -> int:
    """Tell each page the essay links to (queued after it is published or a new version is);
    returns how many were queued."""
    from broadsheet.publishing.models import Post

    post = Post.objects.filter(pk=post_id).first()
    if post is None or not post.is_public or post.is_page:
        return 0
    targets = outgoing_links(post.body_html + post.footnotes_html, post.get_absolute_url())
    for sent in services.sents_queue(post=post, targets=targets):
        send_one.enqueue(sent.pk)
    return len(targets)


def outgoing_links(html: str, path: str) -> list[str]:
    """Absolute http(s) links in the essay to other sites, each once, in order."""
    base = f"{settings.SITE_URL}{path}"
    ours = urlsplit(settings.SITE_URL).netloc.lower()
    tree = parse.document(html.encode(), base) if html.strip() else None
    found: list[str] = []
    for element in tree.iter("a") if tree is not None else ():
        href = (element.get("href") or "").strip().split("#", 1)[0]
        parts = urlsplit(href)
        elsewhere = parts.scheme in ("http", "https") and parts.netloc.lower() not in ("", ours)
        if elsewhere and href not in found and len(href) <= 500:
            found.append(href)
    return found


@task()
def send_one(sent_id: int) -> str:
    """Discover the page's endpoint and post source and target to it; a failure that may pass
    (unreachable, a 5xx, a 429) is tried again later, up to ATTEMPTS times."""
    sent = Sent.objects.select_related("post").filter(pk=sent_id).first()
    if sent is None or sent.status != Sent.Status.QUEUED:
        return "gone"
    source = f"{settings.SITE_URL}{sent.post.get_absolute_url()}"
    try:
        endpoint = endpoint_for(sent.target)
        if endpoint is None:
            return services.sent_record(sent=sent, status=Sent.Status.NO_ENDPOINT).status
        answer = _post(endpoint, source=source, target=sent.target)
    except FetchRefused as why:
        return _again_or_fail(sent, str(why), endpoint="", answer=None)
    if 200 <= answer.status < 300:
        return services.sent_record(sent=sent, status=Sent.Status.SENT, endpoint=endpoint,
                                    answer=answer.status).status  # fmt: skip
    if answer.status >= 500 or answer.status == 429:
        return _again_or_fail(sent, f"the endpoint answered {answer.status}", endpoint=endpoint,
                              answer=answer.status)  # fmt: skip
    return services.sent_record(
        sent=sent,
        status=Sent.Status.FAILED,
        endpoint=endpoint,
        answer=answer.status,
        reason=f"refused ({answer.status})",
    ).status


def endpoint_for(target: str) -> str | None:
    """The Webmention endpoint of the page at `target` (fetched safely), or None."""
    answer = safefetch.fetch(
        target, limits=limits(), headers=_headers(),
        want_body=lambda status, headers: status == 200 and "webmention" not in
        headers.get("link", "").lower(),
    )  # fmt: skip
    found = discover.endpoint(answer)
    if found is None:
        return None
    if urlsplit(found).scheme not in ("http", "https"):
        return None
    return found


def _post(endpoint: str, *, source: str, target: str) -> Answer:
    headers = {**_headers("*/*"), "Content-Type": "application/x-www-form-urlencoded"}
    data = urlencode({"source": source, "target": target}).encode()
    return safefetch.fetch(endpoint, limits=limits(), method="POST", headers=headers, data=data,
                           want_body=lambda status, headers: False)  # fmt: skip


def _again_or_fail(sent: Sent, reason: str, *, endpoint: str, answer: int | None) -> str:
    last = sent.attempts + 1 >= ATTEMPTS
    status = Sent.Status.FAILED if last else Sent.Status.QUEUED
    services.sent_record(sent=sent, status=status, endpoint=endpoint, answer=answer, reason=reason)
    if not last:
        wait = _BACKOFF[min(sent.attempts - 1, len(_BACKOFF) - 1)]
        send_one.using(run_after=timezone.now() + wait).enqueue(sent.pk)
    return status
