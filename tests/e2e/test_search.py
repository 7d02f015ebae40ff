"""Search from the header box in a real Chromium: results with marks, small phones, dark, axe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tests.e2e.test_post_page import _serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_searching_from_the_header_finds_the_essay_and_its_discussion(
    live_server: Any, browser: Any, artifacts: Path, scheme: str
) -> None:
    call_command("demo")
    context = browser.new_context(viewport={"width": 360, "height": 740}, color_scheme=scheme)
    phone = context.new_page()
    phone.goto(live_server.url + "/")
    phone.get_by_role("searchbox", name="Search for:").first.fill("lighthouse journals")
    phone.get_by_role("search").first.get_by_role("button", name="Search").click()
    phone.wait_for_url("**/?s=lighthouse+journals")
    assert phone.locator("h1").inner_text() == "Search results for: lighthouse journals"
    first = phone.locator(".search-result").first
    assert "The Ledger and the Lamp" in first.locator("h2").inner_text()
    assert first.locator("mark").count() >= 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert _serious_violations(phone) == []
    phone.screenshot(path=str(artifacts / f"search-360-{scheme}.png"), full_page=True)

    box = phone.locator("main").get_by_role("searchbox")
    box.fill("barometer hung")
    phone.get_by_label("Include comments").check()
    phone.locator("main").get_by_role("button", name="Search").click()
    phone.wait_for_url("**comments=1**")
    comment = phone.locator(".search-result--comment").first
    # Which reply ranks first differs between SQLite's bm25 and PostgreSQL's ts_rank.
    assert " on “The Ledger and the Lamp" in comment.locator("h2").inner_text()
    assert comment.locator("mark").count() >= 1
    comment.get_by_role("link").click()
    phone.wait_for_url("**/the-ledger-and-the-lamp/#comment-*")
    context.close()
