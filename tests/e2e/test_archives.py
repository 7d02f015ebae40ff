"""Date archives and the footer's archive list in a real Chromium: small phones, dark mode, axe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tests.e2e.test_post_page import _serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_archives_fit_a_small_phone_and_are_accessible(
    live_server: Any, browser: Any, artifacts: Path, scheme: str
) -> None:
    call_command("demo")
    context = browser.new_context(viewport={"width": 360, "height": 740}, color_scheme=scheme)
    phone = context.new_page()
    phone.goto(live_server.url + "/")
    archives = phone.get_by_role("navigation", name="Archives")
    year = archives.get_by_role("link").first
    year.click()
    assert phone.locator("h1").inner_text().startswith("Year: ")
    phone.get_by_role("navigation", name="Months of", exact=False).get_by_role("link").first.click()
    assert phone.locator("h1").inner_text().startswith("Month: ")
    for kind in ("Month", "Day"):
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360, phone.url
        assert _serious_violations(phone) == [], phone.url
        phone.screenshot(
            path=str(artifacts / f"{kind.lower()}-archive-360-{scheme}.png"), full_page=True
        )
        if kind == "Month":
            days = phone.get_by_role("navigation", name="Days of", exact=False)
            days.get_by_role("link").first.click()
            assert phone.locator("h1").inner_text().startswith("Day: ")
    context.close()
