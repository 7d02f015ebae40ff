"""Revisions in Chromium: a reader opens version 1, its banner and the changes since; a writer
compares two revisions and restores one in the studio. With JavaScript off too; axe-core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client

from broadsheet.publishing.models import Post
from broadsheet.publishing.services import post_save
from tests.factories import PostFactory, role_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _serious_violations(page: Any, javascript: bool) -> list[str]:
    if not javascript:
        return []  # axe-core runs in the page: the JavaScript run checks the same pages
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _revised_essay(author: Any) -> Post:
    post = PostFactory(
        title="On harbours",
        slug="on-harbours",
        authors=[author],
        body="The harbour opened in 1820.\n\n## Ledgers\n\nIts ledgers survive in part.\n",
    )
    for body in (
        "The harbour opened in 1822.\n\n## Ledgers\n\nIts ledgers survive in part.\n",
        "The harbour opened in 1822, after a storm.\n\n## Ledgers\n\nIts ledgers survive.\n",
    ):
        post.body = body
        post_save(post=post, by=author)
    return post


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_reader_opens_version_one_and_the_changes_since(
    live_server: Any, browser: Any, artifacts: Path, javascript: bool
) -> None:
    post = _revised_essay(role_member("Author", "ada"))
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(live_server.url + post.get_absolute_url())
    updated = page.locator(".entry-updated")
    assert updated.inner_text().startswith("Updated ")
    updated.get_by_role("link", name="History of this essay").click()
    page.wait_for_load_state()  # a click returns once the next page starts loading
    assert page.locator(".version-list li").count() == 3
    assert _serious_violations(page, javascript) == []
    page.get_by_role("link", name="Version 1", exact=True).click()
    banner = page.locator(".version-banner")
    assert "You are reading version 1" in banner.inner_text()
    assert "1820" in page.locator(".entry-content").inner_text()
    pinned = page.locator(".cite-essay__version").inner_text()
    assert pinned.startswith("Version 1,") and f"{post.get_absolute_url()}v/1/" in pinned
    assert _serious_violations(page, javascript) == []
    page.screenshot(path=str(artifacts / f"version-1-{'js' if javascript else 'nojs'}.png"))
    banner.get_by_role("link", name="See the changes since this version").click()
    assert page.locator(".diff-inline del").first.inner_text().startswith("1820")
    assert _serious_violations(page, javascript) == []
    page.get_by_role("link", name="Side by side").click()
    page.wait_for_load_state()
    assert page.locator("table.diff-side ins").count() >= 1
    assert _serious_violations(page, javascript) == []
    page.emulate_media(color_scheme="dark")
    assert _serious_violations(page, javascript) == []
    page.get_by_role("link", name="On harbours").first.click()
    assert page.url.endswith(post.get_absolute_url())
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_writer_compares_and_restores_in_the_studio(
    live_server: Any, browser: Any, artifacts: Path, javascript: bool
) -> None:
    author = role_member("Author", "ada")
    post = _revised_essay(author)
    client = Client()
    client.force_login(author)
    context = browser.new_context(java_script_enabled=javascript)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/studio/posts/{post.pk}/revisions/")
    assert page.locator(".revision-table tbody tr").count() == 3
    assert _serious_violations(page, javascript) == []
    page.check(f"#a-{post.revisions.get(number=1).pk}")
    page.get_by_role("button", name="Compare side by side").click()
    page.wait_for_load_state()
    assert page.locator("table.diff-side").count() == 1
    assert _serious_violations(page, javascript) == []
    page.screenshot(path=str(artifacts / f"studio-compare-{'js' if javascript else 'nojs'}.png"))
    page.get_by_role("button", name="Restore Revision 1").click()
    assert (
        "Revision 1 is the text again, saved as revision 4."
        in page.locator(".messages").inner_text()
    )
    assert _serious_violations(page, javascript) == []
    post.refresh_from_db()
    assert "1820" in post.body and post.revision == 4
    context.close()
