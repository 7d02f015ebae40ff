"""Issue 16's journey, end to end in Chromium: a discussion anchored to passages, a thread that
knows the essay changed, and a correction proposed by a reader and published by the author.

A reader selects a sentence of an essay and responds to it; once approved, the paragraph shows
a marker and the thread the quote. The author revises that sentence in the studio and publishes;
the worker re-locates the response, which now says the essay was revised, how the passage reads
now, and leads to version 1 (where the sentence still reads as it did) and to the diff. Another
reader selects a date in the next paragraph and suggests a correction; the author revises the
essay with the suggestion beside the editor and accepts it; it is listed at the end of the
essay, in the essay's feed as an update and on /corrections/ with its feed. Without JavaScript,
a paragraph's Respond link opens the form with the paragraph quoted, and the thread quotes it.

The sentence responded to holds markup (a code span), and the correction's fields and the
author's note hold script: all of it is shown as text, and never runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult

from broadsheet.corrections.models import Correction
from broadsheet.discussion.models import Anchor, Comment, DiscussionSettings
from broadsheet.moderation.services import comment_approve
from broadsheet.publishing.models import Post
from broadsheet.publishing.passages import post_passages
from tests.e2e.test_post_page import _serious_violations
from tests.factories import PostFactory, role_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPT = "<img src=x onerror=window.pwned=1>"
SENTENCE = f"The harbour master wrote {SCRIPT} in the margin of 1794, and nobody knows why."
REVISED = SENTENCE.replace("1794", "1795")
BODY = (
    "The harbour kept its ledgers in salt-stained books. "
    f"The harbour master wrote `{SCRIPT}` in the margin of 1794, and nobody knows why. "
    "Later clerks copied the entries into cleaner books.\n\n"
    "The port was dredged in 1826 by the town, at the merchants' expense.\n\n"
    "What the ledgers kept was trust, more than money.\n"
)
WRONG = f"The town records give 1862. {SCRIPT}<script>window.pwned=2</script>"
FIX = f"dredged in 1862 {SCRIPT}"
NOTE = f"The port was dredged in 1862, not 1826. {SCRIPT}"


@pytest.fixture
def essay(live_server: Any) -> tuple[str, Post, Any]:
    settings = DiscussionSettings.current()
    settings.minimum_seconds_on_page = 0
    settings.save()
    author = role_member("Author", "hannah")
    post = PostFactory(title="Ledgers of the salt harbour", slug="ledgers", authors=[author], body=BODY)  # fmt: skip
    assert post.version == 1
    return str(live_server.url), post, author


class Tabs:
    """The browser contexts of one journey; a script error or a console error in any of
    them fails it."""

    def __init__(self, browser: Any, server: str, javascript: bool, artifacts: Path) -> None:
        self.browser, self.server, self.js, self.artifacts = browser, server, javascript, artifacts
        self.errors: list[str] = []

    def open(self, user: Any = None) -> Any:
        context = self.browser.new_context(
            viewport={"width": 1400, "height": 950}, java_script_enabled=self.js
        )
        context.set_default_timeout(20_000)
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies["sessionid"].value
            context.add_cookies([{"name": "sessionid", "value": cookie, "url": self.server}])
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        # A refused inline script or style (CSP) or a failed request shows here.
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        return page

    def unharmed(self, page: Any) -> None:
        """No markup of the quote or the correction ran (only scripts could have run it)."""
        if self.js:
            assert page.evaluate("window.pwned") is None, page.url


def _worker() -> None:
    """One round of the real worker (`broadsheet worker --once`): re-locating the anchors
    after a published version, rebuilding cards, sending the outbox. Nothing may fail."""
    call_command("worker", "--once", "--interval", "1")
    assert not DBTaskResult.objects.failed().exists(), list(
        DBTaskResult.objects.failed().values_list("task_path", "traceback")
    )


def _select(page: Any, passage: str, words: str) -> None:
    """Drag the mouse over `words` in the passage, as a reader does; the words may run
    across elements (a code span)."""
    box = page.evaluate(
        """([id, words]) => {
            const nodes = [];
            const walker = document.createTreeWalker(document.getElementById(id), NodeFilter.SHOW_TEXT);
            let node, text = "";
            while ((node = walker.nextNode())) { nodes.push([node, text.length]); text += node.nodeValue; }
            const at = text.indexOf(words);
            if (at < 0) return null;
            function rect(offset, last) {
                const [found, base] = nodes.filter(([n, b]) => b <= offset).pop();
                const range = document.createRange();
                range.setStart(found, offset - base);
                range.setEnd(found, offset - base + 1);
                const rects = range.getClientRects();
                return rects[last ? rects.length - 1 : 0];
            }
            const first = rect(at, false), last = rect(at + words.length - 1, true);
            return [first.left + 1, first.top + first.height / 2, last.right - 1, last.top + last.height / 2];
        }""",
        [passage, words],
    )
    assert box is not None, words
    page.mouse.move(box[0], box[1])
    page.mouse.down()
    page.mouse.move(box[2], box[3], steps=8)
    page.mouse.up()


def _passage(post: Post, words: str) -> str:
    post.refresh_from_db()
    return next(p.id for p in post_passages(post) if words in p.text)


def _respond_to_the_sentence(tabs: Tabs, post: Post) -> Comment:
    page = tabs.open()
    page.goto(tabs.server + post.get_absolute_url())
    passage = _passage(post, SENTENCE)
    page.locator(f"#{passage}").scroll_into_view_if_needed()
    _select(page, passage, SENTENCE)
    page.get_by_role("button", name="Respond to this passage").click()
    assert page.locator("#comment-quote .comment-quote__text").inner_text() == SENTENCE
    page.fill("#id_comment", "Why 1794? The books start in 1790.")
    page.fill("#id_author", "Grace Reader")
    page.fill("#id_email", "grace@example.org")
    page.click("#submit")
    page.wait_for_selector("li.comment.is-new")
    tabs.unharmed(page)
    comment = Comment.objects.get(body="Why 1794? The books start in 1790.")
    anchor = Anchor.objects.get(comment=comment)
    assert (anchor.passage, anchor.exact, anchor.version) == (passage, SENTENCE, 1)
    page.context.close()
    comment_approve(comment=comment)  # the moderator's part
    return comment


def _see_the_marker_and_the_quote(tabs: Tabs, post: Post, comment: Comment) -> None:
    page = tabs.open()
    page.goto(tabs.server + post.get_absolute_url())
    passage = _passage(post, SENTENCE)
    marker = page.locator(f"#{passage} .margin .responses")
    assert marker.inner_text() == "1"
    marker.click()  # the response opens beside the paragraph
    assert "Why 1794?" in page.locator(f"#responses-{passage}").inner_text()
    quote = page.locator(f"#comment-{comment.pk} blockquote.comment-quote a")
    assert quote.inner_text() == SENTENCE  # the markup shown as text
    assert f"#{passage}:~:text=" in str(quote.get_attribute("href"))
    tabs.unharmed(page)
    page.context.close()


def _revise_the_sentence(tabs: Tabs, post: Post, author: Any) -> None:
    page = tabs.open(author)
    page.goto(f"{tabs.server}/studio/posts/{post.pk}/")
    body = page.input_value("#id_body")
    assert "margin of 1794" in body
    page.fill("#id_body", body.replace("margin of 1794", "margin of 1795"))
    page.get_by_role("button", name="Update").click()
    assert "Saved and published." in page.locator(".messages, .studio-messages").first.inner_text()
    page.context.close()
    post.refresh_from_db()
    assert post.version == 2
    _worker()


def _the_thread_knows(tabs: Tabs, post: Post, comment: Comment) -> None:
    page = tabs.open()
    page.goto(tabs.server + post.get_absolute_url())
    card = page.locator(f"#comment-{comment.pk}")
    note = card.locator(".comment-revised")
    assert note.inner_text().startswith(
        "The essay has been revised since this comment. The passage now reads: "
    )
    assert REVISED in note.inner_text()  # how it reads now, its markup as text
    assert card.locator("blockquote.comment-quote a").inner_text() == SENTENCE  # as responded to
    assert "On the version of" in card.locator(".comment-version").inner_text()
    tabs.unharmed(page)
    note.get_by_role("link", name="The version responded to").click()
    page.wait_for_url(f"**{post.get_absolute_url()}v/1/")
    assert "You are reading version 1" in page.locator(".version-banner").inner_text()
    assert SENTENCE in page.locator(".entry-content").inner_text()  # the original sentence
    tabs.unharmed(page)
    page.go_back()
    note.get_by_role("link", name="What changed").click()
    page.wait_for_url(f"**{post.get_absolute_url()}v/1/changes/")  # (waits for "load")
    assert "1794" in " ".join(page.locator(".diff-inline del").all_inner_texts())
    assert "1795" in " ".join(page.locator(".diff-inline ins").all_inner_texts())
    tabs.unharmed(page)
    page.context.close()


def _suggest_a_correction(tabs: Tabs, post: Post) -> Correction:
    page = tabs.open()
    page.goto(tabs.server + post.get_absolute_url())
    passage = _passage(post, "dredged in 1826")
    page.locator(f"#{passage}").scroll_into_view_if_needed()
    _select(page, passage, "dredged in 1826")
    page.get_by_role("button", name="Suggest a correction").click()
    page.wait_for_url(f"**{post.get_absolute_url()}correct/{passage}/?*")
    assert page.locator("#correction-quote mark").inner_text() == "dredged in 1826"
    page.get_by_label("What is wrong").fill(WRONG)
    page.get_by_label("Your proposed fix").fill(FIX)
    page.get_by_label("Sources, one a line").fill("doi:10.1000/ledger.1862")
    page.get_by_label("Name:", exact=True).fill("Ada Reader")
    page.get_by_label("Email:", exact=True).fill("ada@example.net")
    page.get_by_label("Credit me by name").check()
    page.get_by_role("button", name="Send the suggestion").click()
    assert "your suggested correction was sent" in page.locator(".messages").inner_text()
    tabs.unharmed(page)
    page.context.close()
    correction = Correction.objects.get()
    assert (correction.problem, correction.fix, correction.exact) == (WRONG, FIX, "dredged in 1826")
    _worker()  # the authors' email
    return correction


def _accept_it(tabs: Tabs, post: Post, author: Any, correction: Correction) -> None:
    page = tabs.open(author)
    page.goto(f"{tabs.server}/studio/corrections/")
    page.locator(".studio-table a").first.click()
    facts = page.locator(".studio-correction__facts").inner_text()
    assert WRONG in facts and FIX in facts  # the proposer's script, as text
    tabs.unharmed(page)
    page.get_by_role("link", name="Revise the essay with this suggestion beside the editor").click()
    assert FIX in page.locator(".studio-correction--beside").inner_text()
    body = page.input_value("#id_body")
    page.fill("#id_body", body.replace("dredged in 1826", "dredged in 1862"))
    page.get_by_role("button", name="Update").click()
    assert "Saved and published." in page.locator(".messages, .studio-messages").first.inner_text()
    page.goto(f"{tabs.server}/studio/corrections/{correction.pk}/")
    page.get_by_label("What changed").fill(NOTE)
    page.get_by_role("button", name="Accept and publish the correction").click()
    assert "Accepted" in page.locator(".messages, .studio-messages").first.inner_text()
    tabs.unharmed(page)
    page.context.close()
    post.refresh_from_db()
    assert post.version == 3 and "dredged in 1862" in post.body
    _worker()


def _feed_text(page: Any, url: str, path: str) -> str:
    """The HTML a feed reader shows of the first item (the XML's text, parsed)."""
    answer = page.request.get(url)
    assert answer.ok, url
    root = ElementTree.fromstring(answer.body())  # noqa: S314 - our own feed, in a test
    return "".join(root.find(path).itertext())  # type: ignore[union-attr]


def _readers_see_the_correction(tabs: Tabs, post: Post) -> None:
    page = tabs.open()
    page.goto(tabs.server + post.get_absolute_url())
    listed = page.locator("#corrections")
    assert listed.locator("h2").inner_text() == "Corrections and updates"
    assert NOTE in listed.inner_text() and "Suggested by Ada Reader" in listed.inner_text()
    assert "dredged in 1862" in page.locator(".entry-content").inner_text()
    assert _serious_violations(page) == []  # marker, quote, revised note, corrections
    tabs.unharmed(page)
    page.screenshot(path=str(tabs.artifacts / "passages-journey.png"), full_page=True)
    item = _feed_text(page, f"{tabs.server}/feed/", "channel/item/description")
    assert "Corrections and updates" in item and NOTE.replace("<", "&lt;").replace(">", "&gt;") in item  # fmt: skip
    assert SCRIPT not in item  # escaped once more inside the item's HTML
    page.goto(f"{tabs.server}/corrections/")
    assert post.title in page.locator(".corrections__list").inner_text()
    assert NOTE in page.locator(".corrections__list").inner_text()
    tabs.unharmed(page)
    item = _feed_text(page, f"{tabs.server}/corrections/feed/", "channel/item/description")
    assert "dredged in 1862, not 1826" in item and SCRIPT not in item
    page.context.close()


def test_respond_to_a_sentence_revise_it_and_publish_a_correction(
    browser: Any, essay: tuple[str, Post, Any], artifacts: Path
) -> None:
    server, post, author = essay
    tabs = Tabs(browser, server, True, artifacts)
    comment = _respond_to_the_sentence(tabs, post)
    _see_the_marker_and_the_quote(tabs, post, comment)
    _revise_the_sentence(tabs, post, author)
    _the_thread_knows(tabs, post, comment)
    correction = _suggest_a_correction(tabs, post)
    _accept_it(tabs, post, author, correction)
    _readers_see_the_correction(tabs, post)
    assert tabs.errors == []


def test_without_javascript_a_paragraphs_respond_link_quotes_it(
    browser: Any, essay: tuple[str, Post, Any], artifacts: Path
) -> None:
    server, post, _ = essay
    tabs = Tabs(browser, server, False, artifacts)
    page = tabs.open()
    page.goto(server + post.get_absolute_url())
    passage = next(p for p in post_passages(post) if SENTENCE in p.text)
    page.locator(f"#{passage.id} .margin a:not(.responses)").click()
    page.wait_for_url(f"**{post.get_absolute_url()}respond/{passage.id}/")
    assert page.locator(".comment-quote__text").inner_text() == passage.text
    suggest = page.get_by_role("link", name="Suggest a correction")  # of the same passage
    assert suggest.get_attribute("href") == f"{post.get_absolute_url()}correct/{passage.id}/"
    page.fill("#id_comment", "The whole paragraph, without scripts.")
    page.fill("#id_author", "Nora Noscript")
    page.fill("#id_email", "nora@example.org")
    page.click("#submit")
    page.wait_for_url(f"**{post.get_absolute_url()}#comment-*")  # stored by then
    comment = Comment.objects.get(body="The whole paragraph, without scripts.")
    assert page.url.endswith(f"#comment-{comment.pk}")
    assert Anchor.objects.get(comment=comment).exact == passage.text
    assert SENTENCE in page.locator(f"#comment-{comment.pk}").inner_text()  # its author sees it
    comment_approve(comment=comment)
    reader = tabs.open()
    reader.goto(server + post.get_absolute_url())
    quote = reader.locator(f"#comment-{comment.pk} blockquote.comment-quote a")
    assert quote.inner_text() == passage.text and SCRIPT in quote.inner_text()
    reader.locator(f"#{passage.id} .margin .responses").click()  # the marker leads to it
    reader.wait_for_url(f"**#comment-{comment.pk}")
    reader.goto(f"{server}{post.get_absolute_url()}correct/{passage.id}/")  # the link above
    assert reader.locator("#correction-quote mark").inner_text() == passage.text  # all of it
    assert reader.get_by_role("button", name="Send the suggestion").is_visible()
    assert tabs.errors == []
