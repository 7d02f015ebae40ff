"""Right-to-left in a real Chromium: an Arabic essay on an English site (the essay runs right
to left inside left-to-right chrome) and an Arabic site (everything mirrored: thread indentation
from the right, form fields on the right edge). Layout from bounding boxes; axe; screenshots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from broadsheet.publishing.models import Post
from tests.e2e.test_post_page import _serious_violations
from tests.factories import PostFactory, approved_comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = (
    "كانت المنارات على طول الساحل تُدار بدفاتر دقيقة، يسجّل فيها الحارس الزيت والفتائل"
    " والطقس كل ليلة.[^1]\n\n## الدفاتر\n\n> الضوء لا ينتظر أحدًا.\n\nنص آخر عن الموانئ.\n\n"
    "## الطقس\n\nالمزيد عن العواصف.\n\n[^1]: دفتر المنارة، ١٨٧٢."
)


@pytest.fixture
def arabic_essay(settings: Any) -> Post:
    settings.PAGE_CACHE = False
    post = PostFactory(title="الدفتر والمصباح", slug="daftar", body=BODY, language="ar")
    parent = approved_comment(post, name="سلمى", body="ملاحظة جميلة عن الدفاتر.")
    approved_comment(post, parent=parent, name="يوسف", body="أوافق، وأضيف أن الطقس كان قاسيًا.")
    return post


def box(page: Any, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, selector
    return dict(found)


def right(b: dict[str, float]) -> float:
    return b["x"] + b["width"]


def text_box(page: Any, selector: str) -> dict[str, float]:
    """Where the first line of text of an element actually sits (not its block's box), the
    margin's controls left out."""
    return dict(
        page.evaluate(
            """(selector) => {
                const el = document.querySelector(selector);
                const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
                let node = walker.nextNode();
                const skipped = (n) => !n.textContent.trim() || n.parentElement.closest(".margin");
                while (node && skipped(node)) node = walker.nextNode();
                const range = document.createRange();
                range.selectNodeContents(node);
                const r = range.getClientRects()[0];
                return {x: r.x, y: r.y, width: r.width, height: r.height};
            }""",
            selector,
        )
    )


def test_an_arabic_essay_on_an_english_site(
    live_server: Any, page: Any, arabic_essay: Post, artifacts: Path
) -> None:
    page.goto(live_server.url + arabic_essay.get_absolute_url())
    assert page.locator("html").get_attribute("dir") == "ltr"
    content = page.locator(".entry-content")
    assert content.get_attribute("lang") == "ar" and content.get_attribute("dir") == "rtl"
    # The essay's text starts at the right edge of its column …
    column = box(page, ".entry-content")
    paragraph = text_box(page, ".entry-content p")
    assert abs(right(paragraph) - right(column)) < 30
    # … its quotation's rule is on the right …
    quote = page.locator(".entry-content blockquote").first
    assert quote.evaluate("e => getComputedStyle(e).borderRightWidth") != "0px"
    assert quote.evaluate("e => getComputedStyle(e).borderLeftWidth") == "0px"
    # … while the site's own header still starts on the left.
    title = text_box(page, ".site-title")
    assert abs(title["x"] - column["x"]) < 2
    page.screenshot(path=str(artifacts / "rtl-essay-on-english-site.png"), full_page=True)
    assert _serious_violations(page) == []


def test_an_arabic_site_mirrors_thread_form_and_margin(
    live_server: Any, page: Any, arabic_essay: Post, settings: Any, artifacts: Path
) -> None:
    settings.LANGUAGE_CODE = "ar"
    page.goto(live_server.url + arabic_essay.get_absolute_url())
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    # A reply's box is indented from the right: its right edge is left of its parent's.
    parent = box(page, "ol.comment-list > li.comment > article")
    reply = box(page, "ol.comment-list > li.comment ol.children > li.comment > article")
    assert right(reply) < right(parent) - 8
    assert abs(reply["x"] - parent["x"]) < 4  # both reach the same left edge
    thread_rule = page.locator("ol.children").first
    assert thread_rule.evaluate("e => getComputedStyle(e).borderRightStyle") == "solid"
    # The comment form's fields line up on the right edge of the form.
    form = box(page, "#commentform")
    for field in ("#id_comment", "#id_author", "#id_email"):
        assert abs(right(box(page, field)) - right(form)) < 2, field
    label = page.evaluate(
        """() => {
            const range = document.createRange();
            range.selectNodeContents(document.querySelector("label[for=id_comment]"));
            const r = range.getBoundingClientRect();
            return {x: r.x, y: r.y, width: r.width, height: r.height};
        }"""
    )
    assert abs(right(label) - right(form)) < 2
    # The margin's "Respond" sits beside its passage on the start (right) side, not over it.
    passage = box(page, ".entry-content p")
    margin = page.locator(".entry-content .margin").first
    if margin.count():
        margin_box = box(page, ".entry-content .margin")
        assert margin_box["x"] >= right(passage) - 1 or right(margin_box) <= passage["x"] + 1
        assert margin_box["x"] > passage["x"]  # on the right-hand side, in RTL
    # Footnote back-links end the note on its left (its end side).
    page.screenshot(path=str(artifacts / "rtl-arabic-site.png"), full_page=True)
    assert _serious_violations(page) == []


def test_a_narrow_phone_in_arabic_has_no_sideways_scroll(
    live_server: Any, browser: Any, arabic_essay: Post, settings: Any, artifacts: Path
) -> None:
    settings.LANGUAGE_CODE = "ar"
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        page.goto(live_server.url + arabic_essay.get_absolute_url())
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        parent = box(page, "ol.comment-list > li.comment > article")
        reply = box(page, "ol.comment-list > li.comment ol.children > li.comment > article")
        assert right(reply) < right(parent)
        page.screenshot(path=str(artifacts / "rtl-arabic-phone.png"), full_page=True)
    finally:
        context.close()
