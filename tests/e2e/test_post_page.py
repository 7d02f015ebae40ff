"""The demo essay in a real Chromium: every element of the page, a screenshot, and axe-core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ESSAY = "/2026/03/14/the-ledger-and-the-lamp/"


def _serious_violations(page: Any) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_demo_essay_page_anatomy_screenshot_and_accessibility(
    live_server: Any, page: Any, artifacts: Path
) -> None:
    call_command("demo")
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    response = page.goto(live_server.url + ESSAY)
    assert response.status == 200

    assert page.locator("h1.entry-title").inner_text().startswith("The Ledger and the Lamp")
    assert page.locator(".posted-by").inner_text().startswith("Posted by Maren Hale")
    assert page.locator(".byline").inner_text() == "By Maren Hale"
    assert page.locator(".posted-by time").get_attribute("datetime").startswith("2026-03-14")
    toc = page.locator("nav.toc li a")
    assert toc.count() >= 4
    sections = page.locator(".entry-content h2")
    assert sections.count() >= 4
    assert page.locator(".entry-content p[id^='p-']").count() >= 10
    bio = page.locator("aside.author-bio")
    assert "is a researcher" in bio.inner_text()
    bio.locator("img").scroll_into_view_if_needed()  # the avatar loads lazily
    page.wait_for_function(
        "() => { const img = document.querySelector('aside.author-bio img'); return img.complete && img.naturalWidth > 0; }"
    )
    assert page.locator("section.references li.reference").count() >= 5
    assert page.locator("section.footnotes li[id^='fn-']").count() >= 5
    assert page.locator("nav.post-navigation a").count() >= 1
    assert page.locator("#comments").count() == 1
    assert page.locator("a.skip-link").get_attribute("href") == "#content"

    # A footnote marker leads to its note, and the note leads back.
    page.locator("sup.footnote-ref a").first.click()
    assert page.evaluate("location.hash") == "#fn-1"
    page.locator("#fn-1 a.footnote-backref").first.click()
    assert page.evaluate("location.hash") == "#fnref-1"

    # The page's own CSS is applied (no inline styles are allowed by the CSP).
    measure = page.locator(".entry-content p").first.evaluate(
        "p => p.getBoundingClientRect().width / parseFloat(getComputedStyle(p).fontSize)"
    )
    assert 25 < measure < 45  # about 60-75 characters of a serif text face

    page.screenshot(path=str(artifacts / "post-page.png"), full_page=True)
    assert _serious_violations(page) == []

    page.emulate_media(color_scheme="dark")
    page.screenshot(path=str(artifacts / "post-page-dark.png"))
    assert _serious_violations(page) == []
    assert errors == []


def test_home_page_is_accessible_and_fits_a_small_phone(
    live_server: Any, browser: Any, artifacts: Path
) -> None:
    call_command("demo")
    context = browser.new_context(viewport={"width": 360, "height": 740})
    phone = context.new_page()
    for path in ("/", ESSAY):
        phone.goto(live_server.url + path)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360, path
        assert _serious_violations(phone) == [], path
    phone.goto(live_server.url + "/")
    assert phone.locator("article.post-summary").count() >= 4
    phone.screenshot(path=str(artifacts / "home-360.png"), full_page=True)
    context.close()
