"""Issue 17's journey in Chromium: two camps of readers who usually disagree; one reader of each
rates two notes on an essay — Lena from the essay's own "Needs your help" (JavaScript, each
rating thanked in place), Rafe from the essay's notes page (no JavaScript); the worker's
scoring run follows. The note both camps found helpful is then shown just above its passage,
and "Why is this shown?" leads to its page's sentences; the partisan note, helpful to one camp
only, is shown nowhere. Every wait is for a condition, none for a time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.test import Client

from broadsheet.notes.models import Note, NoteSettings, Rating, Status
from broadsheet.publishing.passages import post_passages
from tests.factories import PostFactory, verified_reader
from tests.notes.crowd import note, passage_note, rate, reader

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CAMP = 6  # seeded raters on each side, besides the two who rate in the browser
BRIDGING = "The town ledger records the dredging in 1862, not 1826."
PARTISAN = "The dredging was a waste of the town's money."


@pytest.fixture(autouse=True)
def patient() -> Iterator[None]:
    """Every expectation waits for its condition, up to 30 s on a machine under load."""
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)
    yield
    expect.set_options(timeout=5_000)  # Playwright's default, for the other modules


def _eligible(days: int = 60) -> Any:
    """A seeded rater: old enough to count, with a verified address (no password to hash)."""
    user = reader(days=days)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


class Camps:
    """Two camps, each with a rating history on another essay's partisan notes that puts its
    members on their side of the divide; `lena` and `rafe` (who sign in) are one of each."""

    def __init__(self) -> None:
        self.lena, self.rafe = verified_reader("lena", days=60), verified_reader("rafe", days=60)
        self.left = [self.lena, *(_eligible() for _ in range(CAMP))]
        self.right = [self.rafe, *(_eligible() for _ in range(CAMP))]
        elsewhere = PostFactory(title="On quays", slug="on-quays", body="The quay.\n")
        for n in range(3):
            for liked, disliked in ((self.left, self.right), (self.right, self.left)):
                made = note(elsewhere, f"A partisan note on quays, {n}.")
                rate(made, liked, Rating.Value.HELPFUL)
                rate(made, disliked, Rating.Value.NOT_HELPFUL)


@pytest.fixture
def journey(db: Any) -> dict[str, Any]:
    settings = NoteSettings.current()
    # Ten ratings to be decided: the two from the browser are what lets the note be shown.
    # No interval: the rating's run is queued at once, for the worker to take.
    settings.min_ratings, settings.scoring_interval_minutes = 10, 0
    settings.save()
    camps = Camps()
    post = PostFactory(title="On harbours", slug="on-harbours",
                       body="The harbour was dredged in 1826 by the town.\n\n"
                            "The quay was rebuilt after the flood.\n")  # fmt: skip
    bridging = passage_note(post, BRIDGING, which=0)
    rate(bridging, [*camps.left[1:5], *camps.right[1:5]], Rating.Value.HELPFUL)
    partisan = passage_note(post, PARTISAN, which=1)
    rate(partisan, camps.left[1:], Rating.Value.HELPFUL)
    rate(partisan, camps.right[1:], Rating.Value.NOT_HELPFUL)
    return {"post": post, "camps": camps, "bridging": bridging, "partisan": partisan}


def _page(browser: Any, live_server: Any, user: Any = None, *, javascript: bool = True) -> Any:
    context = browser.new_context(
        java_script_enabled=javascript, viewport={"width": 1280, "height": 900}
    )
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies["sessionid"].value
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    return context.new_page()


def _rate_on_the_essay(page: Any, essay_url: str) -> None:
    """Lena, on the essay: "Needs your help" after the "Context notes" line, rated in place."""
    from playwright.sync_api import expect

    page.goto(essay_url)
    help = page.locator(".context-notes-line + .notes-help")
    expect(help.get_by_role("heading", name="Context notes that need your help")).to_be_visible()
    for body, value in ((BRIDGING, "Helpful"), (PARTISAN, "Helpful")):
        item = help.locator(".note-to-rate", has_text=body)
        item.get_by_label(value, exact=True).check()
        item.get_by_role("button", name="Rate this note").click()
        expect(item.get_by_role("status")).to_have_text(
            "Thanks — rated. You can change your rating on the essay's notes page."
        )
    assert page.url == essay_url  # still the essay: the ratings loaded no page


def _rate_on_the_notes_page(page: Any, notes_url: str) -> None:
    """Rafe, on the notes page without JavaScript: each form posts and the page comes back."""
    from playwright.sync_api import expect

    for body, value in ((BRIDGING, "Helpful"), (PARTISAN, "Not helpful")):
        page.goto(notes_url)
        item = page.locator(".notes-help .note-to-rate", has_text=body)
        item.get_by_label(value, exact=True).check()
        item.get_by_role("button", name="Rate this note").click()
        expect(page.locator(".messages")).to_contain_text("your rating is stored")


def _shown_above(page: Any, passage: str) -> Any:
    """The context note just before the passage's paragraph."""
    return page.locator(f".context-note:has(+ #{passage})")


def test_a_note_both_camps_rate_helpful_is_shown_above_its_passage_and_a_partisan_one_is_not(
    live_server: Any, browser: Any, journey: dict[str, Any]
) -> None:
    from playwright.sync_api import expect

    post, camps = journey["post"], journey["camps"]
    essay_url = live_server.url + post.get_absolute_url()
    first, second = (passage.id for passage in post_passages(post)[:2])
    anonymous = _page(browser, live_server)
    anonymous.goto(essay_url)
    expect(anonymous.locator(".context-notes-line")).to_contain_text("0 shown")
    assert anonymous.locator(".notes-help").count() == 0  # nothing to rate for a stranger

    _rate_on_the_essay(_page(browser, live_server, camps.lena), essay_url)
    _rate_on_the_notes_page(
        _page(browser, live_server, camps.rafe, javascript=False), f"{essay_url}notes/"
    )
    assert Note.objects.get(pk=journey["bridging"].pk).status == Status.NEEDS_MORE_RATINGS

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)  # the queued run

    # A reader reloads the essay (the browser's copy is a minute fresh): the run refreshed the
    # site's cached page.
    anonymous.reload()
    expect(anonymous.locator(".context-notes-line")).to_contain_text("1 shown")
    shown = _shown_above(anonymous, first)
    expect(shown).to_contain_text(BRIDGING)
    expect(shown).to_contain_text("Rated helpful by people who usually disagree")
    expect(_shown_above(anonymous, second)).to_have_count(0)
    expect(anonymous.locator("article.entry")).not_to_contain_text(PARTISAN)

    shown.get_by_role("link", name="Why is this shown?").click()
    expect(anonymous.get_by_role("heading", name="Status: Shown")).to_be_visible()
    expect(anonymous.locator(".context-note-page__body")).to_have_text(BRIDGING)
    expect(anonymous.locator("#content")).to_contain_text(
        "Readers on both sides of the essay's usual divide rated it helpful"
    )
    assert Note.objects.get(pk=journey["partisan"].pk).status != Status.SHOWN
