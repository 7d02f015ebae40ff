"""Writing and rating a context note in Chromium: a reader selects words of the essay and
chooses "Add a context note" in the popup (respond.js, following the article's
`data-notes-url` that notes.published sets), or without JavaScript goes from the passage's Respond page; another reader
rates the note from the essay's notes page. axe-core on the JavaScript run's pages."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client

from broadsheet.notes.models import Note, Rating
from broadsheet.publishing.passages import post_passages
from tests.e2e.test_respond import _select
from tests.factories import PostFactory, verified_reader

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(browser: Any, live_server: Any, user: Any, javascript: bool) -> Any:
    client = Client()
    client.force_login(user)
    context = browser.new_context(
        java_script_enabled=javascript, viewport={"width": 1280, "height": 900}
    )
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context.new_page()


def _serious(page: Any) -> list[str]:
    found = Axe().run(page).response["violations"]
    return [f"{v['id']}: {v['help']}" for v in found if v["impact"] in ("serious", "critical")]


def _write(page: Any, live_server: Any, post: Any, javascript: bool) -> None:
    passage = post_passages(post)[0].id
    if javascript:
        page.goto(live_server.url + post.get_absolute_url())
        _select(page, passage, "dredged in 1826")
        page.get_by_role("button", name="Add a context note").click()
        page.wait_for_url(f"**/notes/new/{passage}/?*")
        assert _serious(page) == []
    else:
        page.goto(f"{live_server.url}{post.get_absolute_url()}respond/{passage}/")
        page.get_by_role("link", name="Add a context note").click()
    quoted = page.locator("#note-quote mark").inner_text()
    assert quoted == (
        "dredged in 1826" if javascript else "The harbour was dredged in 1826 by the town."
    )
    page.get_by_label("Your note").fill(
        "The town ledger records the dredging in 1862. <b>Not 1826.</b>"
    )
    page.get_by_label("Sources, one a line").fill("doi:10.1000/ledger.1862")
    page.get_by_role("button", name="Store the note").click()
    assert "your note is stored" in page.locator(".messages").inner_text()
    assert "Needs more ratings" in page.locator("#mine").inner_text()


def _rate(page: Any, live_server: Any, post: Any, javascript: bool) -> None:
    page.goto(f"{live_server.url}{post.get_absolute_url()}notes/")
    if javascript:
        assert _serious(page) == []
    note = page.locator(".notes-help .note-to-rate").first
    assert "<b>Not 1826.</b>" in note.inner_text()
    note.get_by_label("Helpful", exact=True).check()
    note.get_by_label("Easy to understand").check()
    note.get_by_label("Opinion or speculation").check()  # a reason of the other side
    note.get_by_role("button", name="Rate this note").click()
    assert "is a reason for a note that is not helpful" in page.locator(".notes-help").inner_text()
    note = page.locator(".notes-help .note-to-rate").first
    assert note.get_by_label("Easy to understand").is_checked()  # the choice is kept
    note.get_by_label("Opinion or speculation").uncheck()
    note.get_by_role("button", name="Rate this note").click()
    assert "your rating is stored" in page.locator(".messages").inner_text()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_reader_writes_a_note_on_a_sentence_and_another_rates_it(
    live_server: Any, browser: Any, javascript: bool
) -> None:
    post = PostFactory(title="On harbours", slug="on-harbours",
                       body="The harbour was dredged in 1826 by the town.\n\nA second paragraph.\n")  # fmt: skip
    writer = _as(browser, live_server, verified_reader("nora"), javascript)
    _write(writer, live_server, post, javascript)
    _rate(
        _as(browser, live_server, verified_reader("rita"), javascript),
        live_server,
        post,
        javascript,
    )
    note = Note.objects.get()
    assert note.exact == ("dredged in 1826" if javascript else post_passages(post)[0].text)
    assert list(Rating.objects.values_list("value", "reasons")) == [("helpful", ["clear"])]
