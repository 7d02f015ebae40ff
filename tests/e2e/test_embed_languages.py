"""The embedded thread on a site in another language than English, in Chromium: the thread's
heading and the page's count link are in the site's words (decision 0127), with the digits
the site's own pages write (decision 0116)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from broadsheet.core.numerals import localize_digits
from broadsheet.publishing.threads import thread_create
from tests.factories import approved_comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE = """<!doctype html>
<html lang="{language}"><head><meta charset="utf-8"><title>A page elsewhere</title></head>
<body><p><a href="#broadsheet-thread" data-broadsheet-count="">Comments</a></p>
<div id="broadsheet-thread"></div>
<script src="{site}/embed.js" data-broadsheet async></script></body></html>
"""


def _thread_page(
    live_server: Any, settings: Any, blog: str, tmp_path: Path, language: str, comments: int
) -> str:
    """A page on the other site whose thread here has `comments` approved comments."""
    settings.LANGUAGE_CODE = language
    settings.EMBED_ALLOWED_ORIGINS = [blog]
    settings.SITE_URL = str(live_server.url)
    url = f"{blog}/post.html"
    thread = thread_create(url=url, title="A page elsewhere")
    for number in range(comments):
        approved_comment(thread, name=f"Reader {number}", body=f"Comment {number}.")
    (tmp_path / "post.html").write_text(PAGE.format(language=language, site=live_server.url))
    return url


def _shown(browser: Any, url: str) -> tuple[str, str]:
    """The thread's heading and the count link, once the embed has written both."""
    page = browser.new_context().new_page()
    page.goto(url)
    page.wait_for_load_state()
    page.wait_for_selector("#broadsheet-thread >> .bs[aria-busy=false]")
    page.wait_for_function(
        "document.querySelector('[data-broadsheet-count]').textContent !== 'Comments'"
    )
    heading = page.locator("#broadsheet-thread >> h2").inner_text()
    count = page.locator("[data-broadsheet-count]").inner_text()
    page.context.close()
    return heading, count


def test_a_german_sites_embed_counts_in_its_words(
    browser: Any, live_server: Any, settings: Any, blog: str, tmp_path: Path
) -> None:
    url = _thread_page(live_server, settings, blog, tmp_path, "de", comments=12)
    assert _shown(browser, url) == ("12 Kommentare", "12 Kommentare")


@pytest.mark.parametrize(("language", "shown"), [("ar", "١٢"), ("ar-ma", "12")])
def test_an_arabic_sites_embed_counts_in_the_digits_its_pages_write(
    browser: Any, live_server: Any, settings: Any, blog: str, tmp_path: Path, language: str,
    shown: str,
) -> None:  # fmt: skip
    url = _thread_page(live_server, settings, blog, tmp_path, language, comments=12)
    heading, count = _shown(browser, url)
    assert localize_digits("12", language) == shown  # the pages' own rule
    assert heading == count and heading.startswith(f"{shown} ")
    assert "تعليق" in heading  # the Arabic catalog's word (ar-MA falls back to it)
    if shown != "12":
        assert not any(character.isascii() and character.isdigit() for character in heading)
