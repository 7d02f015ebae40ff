"""Sending Webmentions: when an essay is published, the worker tells each page it links to
(on another real server in the test), retries what may pass, and records what happened."""

from __future__ import annotations

from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from broadsheet.publishing.models import Post
from broadsheet.webmention.models import Sent
from broadsheet.webmention.tasks import outgoing_links, send_one, send_webmentions
from tests.factories import PostFactory
from tests.webmention.site import Page, Site, local_allowed, site

__all__ = ["local_allowed", "site"]

pytestmark = pytest.mark.django_db


def publish(site: Site, capture: Any) -> Post:
    body = (
        f"I read [a reply]({site.url('/with-endpoint')}), [a quiet page]({site.url('/quiet')})"
        f" and [a busy one]({site.url('/busy')}), and [our own](/2026/01/01/x/).\n"
    )
    with capture(execute=True):
        return PostFactory(title="Links", slug="links", body=body)


def run(name: str) -> None:
    """What the worker does with the queued tasks of this name (those due now)."""
    tasks = {"send_webmentions": send_webmentions, "send_one": send_one}
    for queued in DBTaskResult.objects.ready().filter(task_path__endswith=name):
        queued.delete()
        tasks[name].call(*queued.args_kwargs["args"])


def test_publishing_an_essay_tells_the_pages_it_links_to(
    site: Site, local_allowed: None, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    site.pages["/with-endpoint"] = Page(headers=[("Link", '</endpoint?x=1>; rel="webmention"')])
    site.pages["/quiet"] = Page("<p>No endpoint here.</p>")
    site.pages["/busy"] = Page('<link rel="webmention" href="/busy-endpoint">')
    site.post_status = 202
    post = publish(site, django_capture_on_commit_callbacks)
    run("send_webmentions")
    run("send_one")
    source = f"{settings.SITE_URL}{post.get_absolute_url()}"
    posted = {path: (form["source"], form["target"]) for path, form in site.received}
    assert posted == {
        "/endpoint?x=1": ([source], [site.url("/with-endpoint")]),
        "/busy-endpoint": ([source], [site.url("/busy")]),
    }
    statuses = dict(Sent.objects.values_list("target", "status"))
    assert statuses == {
        site.url("/with-endpoint"): Sent.Status.SENT,
        site.url("/quiet"): Sent.Status.NO_ENDPOINT,
        site.url("/busy"): Sent.Status.SENT,
    }


def test_an_endpoint_that_fails_for_now_is_tried_again_later(
    site: Site, local_allowed: None, django_capture_on_commit_callbacks: Any
) -> None:
    site.pages["/busy"] = Page('<link rel="webmention" href="/busy-endpoint">')
    site.post_status = 503
    post = PostFactory(title="One link", slug="one", body=f"[busy]({site.url('/busy')})")
    send_webmentions.call(post.pk)
    sent = Sent.objects.get()
    assert send_one.call(sent.pk) == Sent.Status.QUEUED
    sent.refresh_from_db()
    assert (sent.attempts, sent.answer, sent.reason) == (1, 503, "the endpoint answered 503")
    queued = DBTaskResult.objects.filter(task_path__endswith="send_one")
    assert queued.count() == 2 and queued.ready().count() == 1  # the retry waits
    for _ in range(3):
        send_one.call(sent.pk)
    sent.refresh_from_db()
    assert (sent.status, sent.attempts) == (Sent.Status.FAILED, 4)


def test_pages_on_inside_addresses_are_not_told_without_the_tests_setting(site: Site) -> None:
    site.pages["/busy"] = Page('<link rel="webmention" href="/busy-endpoint">')
    post = PostFactory(title="One link", slug="one", body=f"[busy]({site.url('/busy')})")
    send_webmentions.call(post.pk)
    sent = Sent.objects.get()
    send_one.call(sent.pk)
    sent.refresh_from_db()
    assert "a private or local address" in sent.reason
    assert not site.received


def test_only_links_to_other_sites_are_told(settings: Any) -> None:
    html = (
        '<p><a href="https://a.example/x#part">a</a> <a href="https://a.example/x">again</a> '
        f'<a href="{settings.SITE_URL}/2026/01/01/ours/">ours</a> <a href="/relative/">rel</a> '
        '<a href="mailto:me@example.org">mail</a> <a href="javascript:alert(1)">js</a></p>'
    )
    assert outgoing_links(html, "/2026/01/02/post/") == ["https://a.example/x"]
