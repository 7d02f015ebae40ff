"""Corrections in Chromium: a reader suggests one on a sentence (with JavaScript by selecting
it, the popup following the essay's `data-correct-url`; without, from the passage's Respond
page, the whole paragraph), the author revises the essay with the suggestion beside the editor and
accepts it; readers see it at the end of the essay, on /corrections/ and in its feed. axe-core
on every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client

from broadsheet.corrections.models import Correction
from broadsheet.notifications.models import OutgoingEmail
from broadsheet.publishing.passages import post_passages
from tests.e2e.test_respond import _select
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


def _suggest(page: Any, live_server: Any, post: Any, javascript: bool) -> None:
    page.goto(live_server.url + post.get_absolute_url())
    base = page.locator("article.entry").get_attribute("data-correct-url")
    passage = post_passages(post)[0].id
    assert base == f"{post.get_absolute_url()}correct/"
    if javascript:  # select the words; the popup (respond.js) offers the correction
        _select(page, passage, "dredged in 1826")
        page.get_by_role("button", name="Suggest a correction").click()
        page.wait_for_url(f"**{base}{passage}/?*")
    else:  # the passage's Respond page offers it
        page.goto(f"{live_server.url}{post.get_absolute_url()}respond/{passage}/")
        page.get_by_role("link", name="Suggest a correction").click()
    quoted = page.locator("#correction-quote mark").inner_text()
    assert quoted == (
        "dredged in 1826" if javascript else "The harbour was dredged in 1826 by the town."
    )
    assert _serious_violations(page, javascript) == []
    page.get_by_label("What is wrong").fill("The harbour was dredged in 1862.")
    page.get_by_label("Your proposed fix").fill("dredged in 1862")
    page.get_by_label("Sources, one a line").fill("doi:10.1000/ledger.1862")
    page.get_by_label("Name:", exact=True).fill("Ada Reader")
    page.get_by_label("Email:", exact=True).fill("ada@example.net")
    page.get_by_label("Credit me by name").check()
    page.get_by_role("button", name="Send the suggestion").click()
    assert "your suggested correction was sent" in page.locator(".messages").inner_text()


def _studio(browser: Any, live_server: Any, author: Any, javascript: bool) -> Any:
    client = Client()
    client.force_login(author)
    context = browser.new_context(java_script_enabled=javascript)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_reader_suggests_the_author_accepts_readers_see_it(
    live_server: Any, browser: Any, artifacts: Path, javascript: bool
) -> None:
    author = role_member("Author", "writer")
    post = PostFactory(title="On harbours", slug="on-harbours", authors=[author],
                       body="The harbour was dredged in 1826 by the town.\n\nA second paragraph.\n")  # fmt: skip
    mode = "js" if javascript else "nojs"
    reader = browser.new_context(java_script_enabled=javascript)
    _suggest(reader.new_page(), live_server, post, javascript)
    correction = Correction.objects.get()
    assert OutgoingEmail.objects.filter(to_address="writer@example.org").exists()

    studio = _studio(browser, live_server, author, javascript).new_page()
    studio.goto(f"{live_server.url}/studio/corrections/")
    assert _serious_violations(studio, javascript) == []
    studio.locator(".studio-table a").first.click()
    assert "dredged in 1862" in studio.locator(".studio-correction__facts").inner_text()
    assert _serious_violations(studio, javascript) == []
    studio.get_by_role(
        "link", name="Revise the essay with this suggestion beside the editor"
    ).click()
    studio.wait_for_load_state()  # a click returns once the next page starts loading
    assert studio.locator(".studio-correction--beside").is_visible()
    assert _serious_violations(studio, javascript) == []
    studio.screenshot(path=str(artifacts / f"correction-beside-editor-{mode}.png"))
    body = studio.locator("textarea[name=body]")
    body.fill(body.input_value().replace("1826", "1862"))
    studio.get_by_role("button", name="Update").click()
    studio.wait_for_load_state()
    assert studio.locator(".studio-correction--beside").is_visible()  # still beside
    studio.goto(f"{live_server.url}/studio/corrections/{correction.pk}/")
    studio.get_by_label("What changed").fill("The harbour was dredged in 1862, not 1826.")
    studio.get_by_role("button", name="Accept and publish the correction").click()
    assert "Accepted" in studio.locator(".messages").inner_text()

    page = reader.new_page()
    page.goto(live_server.url + post.get_absolute_url())
    listed = page.locator("#corrections")
    assert "The harbour was dredged in 1862, not 1826." in listed.inner_text()
    assert "Suggested by Ada Reader" in listed.inner_text()
    assert "1862" in page.locator(".entry-content").inner_text()
    assert _serious_violations(page, javascript) == []
    page.screenshot(path=str(artifacts / f"corrections-on-the-essay-{mode}.png"))
    listed.get_by_role("link", name="What changed").click()
    assert page.locator(".diff-inline del").first.inner_text().startswith("1826")
    page.goto(f"{live_server.url}/corrections/")
    assert "On harbours" in page.locator(".corrections__list").inner_text()
    assert _serious_violations(page, javascript) == []
    feed = page.request.get(f"{live_server.url}/corrections/feed/").text()
    assert "Correction to “On harbours”" in feed and "dredged in 1862, not 1826" in feed
    reader.close()
