"""Responding to a passage in a real Chromium: selecting a sentence, the keyboard's margin
control, and the page without JavaScript; the marker and the responses beside the paragraph."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command

from broadsheet.discussion.models import Anchor, Comment, DiscussionSettings
from broadsheet.moderation.services import comment_approve
from broadsheet.publishing.models import Post
from broadsheet.publishing.passages import post_passages
from tests.e2e.test_post_page import _serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ESSAY = "/2026/03/14/the-ledger-and-the-lamp/"
SENTENCE = "They are lighthouse journals, and for a long time almost nobody asked to see them."


@pytest.fixture
def demo(live_server: Any) -> str:
    call_command("demo", verbosity=0)
    settings = DiscussionSettings.current()
    settings.minimum_seconds_on_page = 0
    settings.save()
    return str(live_server.url)


def _first_passage() -> Any:
    return post_passages(Post.objects.get(slug="the-ledger-and-the-lamp"))[0]


def _select(page: Any, passage: str, words: str) -> None:
    """Drag the mouse over `words` in the passage, as a reader does."""
    box = page.evaluate(
        """([id, words]) => {
            const walker = document.createTreeWalker(document.getElementById(id), NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode())) {
                const at = node.nodeValue.indexOf(words);
                if (at < 0) continue;
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + 1);
                const first = range.getClientRects()[0];
                range.setStart(node, at + words.length - 1);
                range.setEnd(node, at + words.length);
                const rects = range.getClientRects();
                const last = rects[rects.length - 1];
                return [first.left + 1, first.top + first.height / 2, last.right - 1, last.top + last.height / 2];
            }
            return null;
        }""",
        [passage, words],
    )
    assert box is not None, words
    page.mouse.move(box[0], box[1])
    page.mouse.down()
    page.mouse.move(box[2], box[3], steps=8)
    page.mouse.up()


def _fill_guest(page: Any, text: str) -> None:
    page.fill("#id_comment", text)
    page.fill("#id_author", "Grace Guest")
    page.fill("#id_email", "grace@example.org")


def test_select_a_sentence_respond_and_see_the_marker(
    browser: Any, demo: str, artifacts: Path
) -> None:
    passage = _first_passage()
    page = browser.new_context().new_page()
    page.goto(demo + ESSAY)
    page.locator(f"#{passage.id}").scroll_into_view_if_needed()
    _select(page, passage.id, SENTENCE)
    popup = page.locator(".passage-popup")
    popup.wait_for(state="visible")
    # An essay offers corrections and context notes too (its article has data-correct-url and
    # data-notes-url: the corrections and notes apps).
    assert popup.locator("button").all_inner_texts() == [
        "Respond to this passage",
        "Suggest a correction",
        "Add a context note",
    ]
    page.screenshot(path=str(artifacts / "respond-popup.png"))
    popup.get_by_role("button", name="Respond to this passage").click()
    assert page.locator("#comment-quote .comment-quote__text").inner_text() == SENTENCE
    assert page.evaluate("document.activeElement.id") == "id_comment"
    _fill_guest(page, "Nobody asked? Some of us did.")
    page.click("#submit")
    page.wait_for_selector("li.comment.is-new")
    assert page.locator("#comment-quote").is_hidden()  # the form is ready for the next one
    comment = Comment.objects.get(body="Nobody asked? Some of us did.")
    anchor = Anchor.objects.get(comment=comment)
    start = passage.text.index(SENTENCE)
    assert (anchor.passage, anchor.exact, anchor.start) == (passage.id, SENTENCE, start)
    assert anchor.prefix == passage.text[start - 32 : start]

    comment_approve(comment=comment)
    page.goto(demo + ESSAY)
    marker = page.locator(f"#{passage.id} .margin .responses")
    assert marker.inner_text() == "1"
    marker.click()
    beside = page.locator(f"#responses-{passage.id}")
    assert "Nobody asked? Some of us did." in beside.inner_text()
    assert marker.get_attribute("aria-expanded") == "true"
    assert _serious_violations(page) == []
    page.screenshot(path=str(artifacts / "respond-beside.png"))
    marker.click()
    assert beside.count() == 0


def test_a_selection_that_cuts_words_quotes_them_whole(browser: Any, demo: str) -> None:
    """A drag from the middle of "lighthouse" to the middle of "journals" quotes both words."""
    passage = _first_passage()
    page = browser.new_context().new_page()
    page.goto(demo + ESSAY)
    page.locator(f"#{passage.id}").scroll_into_view_if_needed()
    _select(page, passage.id, "house journals, and for a long ti")
    page.locator(".passage-popup").get_by_role("button", name="Respond to this passage").click()
    quote = page.locator("#comment-quote .comment-quote__text").inner_text()
    assert quote == "lighthouse journals, and for a long time"
    start = int(page.input_value("input[name=anchor_start]"))
    assert passage.text[start : start + len(quote)] == quote


def test_the_margin_control_by_keyboard_and_removing_the_quote(browser: Any, demo: str) -> None:
    passage = _first_passage()
    page = browser.new_context().new_page()
    page.goto(demo + ESSAY)
    control = page.locator(f"#{passage.id} .margin a:not(.responses)")
    for _ in range(80):  # Tab through the page until the first passage's control has focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.margin a:not(.responses)')"):
            break
    assert control.evaluate("node => node === document.activeElement")
    # Seen on focus: it fades in (0.15 s), so wait for the end of the fade, not its first frame.
    page.wait_for_function(
        "() => getComputedStyle(document.activeElement).opacity === '1'", timeout=5_000
    )
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_comment"
    assert page.locator(".comment-quote__text").inner_text() == passage.text
    assert _serious_violations(page) == []  # the form with its quote
    page.keyboard.type("The whole opening, by keyboard.")
    page.fill("#id_author", "Kay Board")
    page.fill("#id_email", "kay@example.org")
    page.locator("#submit").press("Enter")
    page.wait_for_selector("li.comment.is-new")
    comment = Comment.objects.get(body="The whole opening, by keyboard.")
    assert Anchor.objects.get(comment=comment).exact == passage.text

    # Attached, then removed: the comment goes without a quote (a minute later: no flood).
    Comment.objects.filter(pk=comment.pk).update(
        created_at=comment.created_at - timedelta(minutes=1)
    )
    page.locator(f"#{passage.id} .margin a:not(.responses)").focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Remove the quote").click()
    assert page.locator("#comment-quote").is_hidden()
    page.fill("#id_comment", "Second thoughts, about the whole essay.")
    page.click("#submit")
    page.wait_for_selector("li.comment.is-new >> text=Second thoughts")
    assert not Anchor.objects.filter(comment__body__startswith="Second thoughts").exists()


def test_suggest_a_correction_when_the_article_offers_it(browser: Any, demo: str) -> None:
    """The corrections feature adds data-correct-url to the article; the popup then offers
    it, with the selection in the address."""
    passage = _first_passage()
    page = browser.new_context().new_page()

    def with_corrections(route: Any) -> None:
        html = (
            route.fetch()
            .text()
            .replace(
                '<article class="entry"',
                '<article class="entry" data-correct-url="/correct-here/"',
                1,
            )
        )
        route.fulfill(body=html, content_type="text/html; charset=utf-8")

    page.route("**" + ESSAY, with_corrections)
    page.goto(demo + ESSAY)
    assert page.locator("article.entry").get_attribute("data-correct-url") == "/correct-here/"
    page.locator(f"#{passage.id}").scroll_into_view_if_needed()
    _select(page, passage.id, SENTENCE)
    page.get_by_role("button", name="Suggest a correction").click()
    page.wait_for_url("**/correct-here/**")
    address = urlsplit(page.url)
    query = parse_qs(address.query)
    assert address.path == f"/correct-here/{passage.id}/"
    assert query["exact"] == [SENTENCE]
    start = passage.text.index(SENTENCE)
    assert (query["start"], query["end"]) == ([str(start)], [str(start + len(SENTENCE))])
    assert query["prefix"] == [passage.text[start - 32 : start]]


def test_without_javascript_the_control_opens_the_respond_page(
    browser: Any, demo: str, artifacts: Path
) -> None:
    passage = _first_passage()
    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(demo + ESSAY)
    page.locator(f"#{passage.id} .margin a:not(.responses)").click()
    assert page.url == f"{demo}{ESSAY}respond/{passage.id}/"
    assert page.locator(".comment-quote__text").inner_text() == passage.text
    page.screenshot(path=str(artifacts / "respond-nojs.png"), full_page=True)
    _fill_guest(page, "Responding without scripts.")
    page.click("#submit")
    comment = Comment.objects.get(body="Responding without scripts.")
    assert page.url.endswith(f"{ESSAY}#comment-{comment.pk}")
    assert Anchor.objects.get(comment=comment).passage == passage.id

    comment_approve(comment=comment)
    page.goto(demo + ESSAY)
    page.locator(f"#{passage.id} .margin .responses").click()
    assert page.url.endswith(f"#comment-{comment.pk}")  # the marker leads to the response


def test_the_respond_page_passes_axe_and_keeps_script_as_text(browser: Any, demo: str) -> None:
    post = Post.objects.get(slug="the-ledger-and-the-lamp")
    page = browser.new_context().new_page()
    page.goto(f"{demo}{ESSAY}respond/fn-1/")
    assert page.locator(".comment-quote__text").inner_text() == next(
        p.text for p in post_passages(post) if p.id == "fn-1"
    )
    assert _serious_violations(page) == []
    # A forged quote comes back beside the form as text, with the reason, and never runs.
    page.evaluate(
        """() => { document.querySelector('[name=anchor_exact]').value =
            '<img src=x onerror="window.__pwned=1">'; }"""
    )
    _fill_guest(page, "With a forged quote.")
    page.click("#submit")
    error = page.locator("#comment-quote .field-error")
    error.wait_for()
    assert "not in that passage" in error.inner_text()
    assert page.evaluate("window.__pwned") is None
    assert not Comment.objects.filter(body="With a forged quote.").exists()
