"""A thread that knows the essay changed, in Chromium: a response shows the passage it answers
and leads to it; once the author publishes a revision that rewrites that sentence, the response
says so and leads to version 1 and to what changed. With JavaScript off too; axe-core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_tasks_db.models import DBTaskResult

from broadsheet.discussion.tasks import rebuild_comment_cards, relocate_anchors
from broadsheet.publishing.services import post_save
from tests.factories import PostFactory, anchored_comment, role_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILLER = "\n\n".join(f"Paragraph {n} says little about the harbour." for n in range(30))
BODY = f"The harbour opened in 1820.\n\n{FILLER}\n\nIts ledgers survive in part, in the city archive at Bristol.\n"


def _serious_violations(page: Any) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _worker() -> None:
    for name, task in (("relocate_anchors", relocate_anchors), ("rebuild_comment_cards", rebuild_comment_cards)):  # fmt: skip
        for queued in DBTaskResult.objects.filter(task_path__endswith=name):
            task.call(*queued.args_kwargs["args"])
            queued.delete()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_response_leads_to_its_passage_and_says_when_a_revision_rewrote_it(
    live_server: Any, browser: Any, artifacts: Path, javascript: bool
) -> None:
    author = role_member("Author", "ada")
    post = PostFactory(title="On harbours", slug="on-harbours", authors=[author], body=BODY)
    comment = anchored_comment(
        post, "survive in part, in the city archive", body="Which part?", name="Ben Reader"
    )
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(live_server.url + post.get_absolute_url())
    card = page.locator(f"#comment-{comment.pk}")
    quote = card.locator("blockquote.comment-quote a")
    assert quote.inner_text() == "survive in part, in the city archive"
    quote.click()
    passage = page.locator(".entry-content p", has_text="Its ledgers survive in part")
    page.wait_for_function("() => window.scrollY > 0")
    assert passage.is_visible() and passage.evaluate(
        "p => { const r = p.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
    )  # the text fragment (or, without it, the passage's id) brought the reader to it
    if javascript:
        assert _serious_violations(page) == []

    post.refresh_from_db()
    post.body = BODY.replace("the city archive", "the county archive")
    post_save(post=post, by=author)
    _worker()
    page.reload()  # the page's max-age would keep the browser's copy for a minute
    note = card.locator(".comment-revised")
    assert note.inner_text().startswith(
        "The essay has been revised since this comment. The passage now reads: "
    )
    assert "in the county archive" in note.inner_text()
    assert "On the version of" in card.locator(".comment-version").inner_text()
    if javascript:
        assert _serious_violations(page) == []
        page.emulate_media(color_scheme="dark")
        assert _serious_violations(page) == []
    card.screenshot(path=str(artifacts / f"anchored-thread-{'js' if javascript else 'nojs'}.png"))
    note.get_by_role("link", name="The version responded to").click()
    assert "You are reading version 1" in page.locator(".version-banner").inner_text()
    assert "the city archive" in page.locator(".entry-content").inner_text()
    page.go_back()
    card.locator(".comment-revised").get_by_role("link", name="What changed").click()
    assert page.url.endswith(f"{post.get_absolute_url()}v/1/changes/")
    page.wait_for_load_state()  # the click returned when the page started loading
    assert page.locator(".diff-inline del").count() >= 1
    context.close()
