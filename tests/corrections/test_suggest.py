"""A reader suggests a correction on a passage: the selection checked against the essay's text,
the whole passage without one, a guest's name and email, at least one source; every problem
next to its field with the reader's text kept; hostile input never a 500 and never stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from broadsheet.corrections.models import Correction
from broadsheet.corrections.services import CORRECTIONS_PER_HOUR
from broadsheet.discussion.models import DiscussionSettings
from broadsheet.notifications.models import OutgoingEmail
from broadsheet.publishing.models import Post, Reference
from broadsheet.publishing.passages import post_passages
from broadsheet.publishing.services import post_save
from tests.corrections.conftest import SCRIPT
from tests.factories import PostFactory, role_member

pytestmark = pytest.mark.django_db

GOOD = {
    "problem": "The year is wrong.",
    "fix": "dredged in 1862",
    "sources": "https://example.org/ledger",
    "name": "Ada Reader",
    "email": "ada@example.net",
    "credit": "on",
}


def _url(post: Post, index: int = 0) -> str:
    return f"{post.get_absolute_url()}correct/{post_passages(post)[index].id}/"


def _selection(post: Post, exact: str = "dredged in 1826") -> dict[str, Any]:
    text = post_passages(post)[0].text
    start = text.index(exact)
    return {"exact": exact, "prefix": text[max(0, start - 32) : start],
            "suffix": text[start + len(exact) :][:32], "start": start, "end": start + len(exact)}  # fmt: skip


def test_the_selection_is_quoted_and_stored_as_checked(client: Client, essay: Post) -> None:
    page = client.get(_url(essay), _selection(essay))
    html = page.content.decode()
    assert page.status_code == 200 and "<mark>dredged in 1826</mark>" in html
    assert page["Cache-Control"].startswith("private") or "no-cache" in page["Cache-Control"]
    # Forged positions and context: only the exact words count; the rest comes from the text.
    data = {**GOOD, **_selection(essay), "start": "0", "end": "3", "prefix": "forged", "suffix": ""}
    response = client.post(_url(essay), data)
    assert response.status_code == 302
    assert response["Location"] == f"{essay.get_absolute_url()}#{post_passages(essay)[0].id}"
    stored = Correction.objects.get()
    assert (stored.passage, stored.exact) == (post_passages(essay)[0].id, "dredged in 1826")
    assert (stored.start, stored.end, stored.prefix) == (16, 31, "The harbour was ")
    assert (stored.revision, stored.version) == (essay.revision, essay.version)
    assert stored.sources == [{"kind": "url", "value": "https://example.org/ledger"}]
    assert stored.credit and stored.status == "pending" and stored.user is None
    assert "Thank you" in client.get(response["Location"]).content.decode()


def test_without_a_selection_the_whole_passage_is_quoted(client: Client, essay: Post) -> None:
    html = client.get(_url(essay, 1)).content.decode()
    assert "<mark>A second paragraph.</mark>" in html and "The whole passage" in html
    assert client.post(_url(essay, 1), GOOD).status_code == 302
    assert Correction.objects.get().exact == "A second paragraph."


def test_footnotes_can_be_corrected_too(client: Client, essay: Post) -> None:
    footnote = next(p for p in post_passages(essay) if p.id.startswith("fn-"))
    url = f"{essay.get_absolute_url()}correct/{footnote.id}/"
    assert "The town ledger." in client.get(url).content.decode()
    assert client.post(url, GOOD).status_code == 302
    assert Correction.objects.get().passage == footnote.id


@pytest.mark.parametrize(
    "forged",
    [{"exact": "not in the essay"}, {"exact": "x" * 100_000}, {"exact": SCRIPT},
     {"exact": "A second paragraph."}, {"exact": "\u00a0x\u00a0"}],
    ids=["absent", "huge", "script", "other-passage", "not-words"],
)  # fmt: skip
def test_a_forged_selection_is_refused_by_the_quote_with_the_text_kept(
    client: Client, essay: Post, forged: dict[str, str]
) -> None:
    shown = client.get(_url(essay), forged)
    assert (
        shown.status_code == 200 and "The whole passage is quoted instead" in shown.content.decode()
    )
    data = {**GOOD, "problem": "Kept words.", **forged}
    response = client.post(_url(essay), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="correction-quote-error"' in html and "Kept words." in html
    assert "<mark>The harbour was dredged in 1826 by the town.</mark>" in html
    assert SCRIPT not in html and not Correction.objects.exists()
    assert client.post(_url(essay), {**GOOD, "problem": "Kept words."}).status_code == 302


def test_forged_positions_only_choose_and_never_break(client: Client, essay: Post) -> None:
    for start, end in (("9" * 400, "-1"), ("１２", "x"), ("", "")):
        data = {**GOOD, "exact": "1826", "start": start, "end": end, "prefix": SCRIPT * 50}
        assert client.post(_url(essay), data).status_code == 302
    assert {(c.start, c.end, c.exact) for c in Correction.objects.all()} == {(27, 31, "1826")}
    assert all(len(c.prefix) <= 32 and SCRIPT not in c.prefix for c in Correction.objects.all())


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("problem", "", "Please say what is wrong"), ("fix", "  ", "Please give the text or fact"),
     ("sources", "", "at least one source"), ("sources", "javascript:alert(1)", "not a source"),
     ("sources", "@nobody", "not a reference of this essay"), ("name", "", "Please give your name"),
     ("email", "", "Please give your email"), ("email", "not-an-address", "valid email"),
     ("problem", "x" * 70_001, "at most 5000 characters"), ("name", "n" * 300, "at most 245"),
     ("sources", "\n".join(f"https://example.org/{i}" for i in range(11)), "at most 10 sources"),
     ("sources", "https://example.org/" + "a" * 600, "at most 500 characters")],
)  # fmt: skip
def test_each_problem_is_shown_by_its_field_with_the_text_kept(
    client: Client, essay: Post, field: str, value: str, message: str
) -> None:
    data = {**GOOD, "fix": "My careful fix.", field: value}
    if field == "fix":
        data["problem"] = "My careful problem."
    response = client.post(_url(essay), data)
    html = response.content.decode()
    assert response.status_code == 400 and message in html, html[-3000:]
    assert ("My careful fix." in html) or field == "fix"
    assert not Correction.objects.exists() and not OutgoingEmail.objects.exists()


def test_script_in_every_field_is_stored_as_text_and_shown_as_text(
    client: Client, essay: Post, writer: Any
) -> None:
    data = {field: f"{value} {SCRIPT}" for field, value in GOOD.items() if field != "email"}
    data |= {"email": "ada@example.net", "sources": "https://example.org/ledger"}
    assert client.post(_url(essay), data).status_code == 302
    stored = Correction.objects.get()
    assert stored.problem.endswith(SCRIPT) and stored.name.endswith(SCRIPT)
    studio = Client()
    studio.force_login(writer)
    for url in (f"/studio/corrections/{stored.pk}/", "/studio/corrections/"):
        html = studio.get(url).content.decode()
        assert SCRIPT not in html and "&lt;script&gt;" in html, url


def test_doi_and_the_essays_own_references_are_sources(client: Client, essay: Post) -> None:
    Reference.objects.create(post=essay, key="marsh1998", title="A Ledger", uncited=True)
    post_save(post=essay)
    page = client.get(_url(essay)).content.decode()
    assert 'value="marsh1998"' in page and "@marsh1998 — A Ledger" in page
    data = {**GOOD, "sources": "doi:10.1000/xyz123\nhttps://doi.org/10.1000/ABC\n@marsh1998",
            "references": ["marsh1998"]}  # fmt: skip
    assert client.post(_url(essay), data).status_code == 302
    assert Correction.objects.get().sources == [
        {"kind": "reference", "value": "marsh1998"},
        {"kind": "doi", "value": "10.1000/xyz123"},
        {"kind": "doi", "value": "10.1000/ABC"},
    ]
    forged = {**GOOD, "sources": "", "references": ["forged-key"]}
    assert client.post(_url(essay), forged).status_code == 400


def test_a_signed_in_reader_suggests_as_their_account(client: Client, essay: Post) -> None:
    reader = role_member("Subscriber", "rea")
    client.force_login(reader)
    page = client.get(_url(essay)).content.decode()
    assert 'name="email"' not in page and "You are suggesting this as" in page
    data = {**GOOD, "name": "Someone Else", "email": "forged@example.org"}
    assert client.post(_url(essay), data).status_code == 302
    stored = Correction.objects.get()
    assert (stored.user, stored.email) == (reader, "rea@example.org")
    assert stored.name == reader.display_name


def test_a_site_that_asks_commenters_to_sign_in_asks_proposers_too(
    client: Client, essay: Post
) -> None:
    settings = DiscussionSettings.current()
    settings.comment_registration = True
    settings.save()
    page = client.get(_url(essay)).content.decode()
    assert "Sign in</a>, then suggest" in page and 'name="problem"' not in page
    client.post(_url(essay), GOOD)
    assert not Correction.objects.exists()


@pytest.mark.parametrize(
    "change",
    [{"status": Post.Status.DRAFT, "published_at": None}, {"status": Post.Status.PRIVATE},
     {"status": Post.Status.PENDING, "published_at": None}],
    ids=["draft", "private", "pending"],
)  # fmt: skip
def test_only_a_public_essay_takes_suggestions(
    client: Client, writer: Any, change: dict[str, Any]
) -> None:
    post = PostFactory(authors=[writer], slug="hidden")
    url = _url(post)
    for name, value in change.items():
        setattr(post, name, value)
    post_save(post=post)
    for who in (None, writer):  # not even for its own author: it is for what readers can read
        reader = Client()
        if who is not None:
            reader.force_login(who)
        assert reader.get(url).status_code == 404
        assert reader.post(url, GOOD).status_code == 404
    assert not Correction.objects.exists()


def test_a_forged_passage_or_address_is_404(client: Client, essay: Post) -> None:
    base = f"{essay.get_absolute_url()}correct/"
    for passage in ("p-nothere", "fn-99", "ref-none", "%3Cscript%3E", "p-" + "a" * 5000):
        assert client.get(f"{base}{passage}/").status_code == 404, passage
        assert client.post(f"{base}{passage}/", GOOD).status_code == 404
    assert client.get("/2001/01/01/no-such-essay/correct/p-x/").status_code == 404
    page = PostFactory(kind=Post.Kind.PAGE, slug="about", title="About")
    assert client.get(f"{page.get_absolute_url()}correct/p-x/").status_code == 404


def test_suggestions_are_rate_limited_with_the_text_kept(client: Client, essay: Post) -> None:
    for number in range(CORRECTIONS_PER_HOUR):
        data = {**GOOD, "problem": f"Problem {number}."}
        assert client.post(_url(essay), data).status_code == 302
    refused = client.post(_url(essay), {**GOOD, "problem": "One too many."})
    html = refused.content.decode()
    assert refused.status_code == 429 and "Please wait an hour" in html and "One too many." in html
    assert Correction.objects.count() == CORRECTIONS_PER_HOUR
    # Another address, the same proposer: still limited (counted per proposer too).
    other = client.post(_url(essay), {**GOOD, "problem": "Elsewhere."}, REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 429


def test_a_suggestion_is_emailed_privately_and_never_shown(client: Client, essay: Post) -> None:
    client.post(_url(essay), {**GOOD, "problem": "A private problem."})
    assert OutgoingEmail.objects.filter(to_address="writer@example.org").exists()
    assert "A private problem." not in client.get(essay.get_absolute_url()).content.decode()
    assert not OutgoingEmail.objects.filter(to_address="ada@example.net").exists()


def test_the_respond_page_offers_a_correction_of_the_same_passage(
    client: Client, essay: Post
) -> None:
    """Without JavaScript a passage's "Respond" opens its own page; a correction is offered
    there too, for the same passage."""
    passage = post_passages(essay)[0].id
    html = client.get(f"{essay.get_absolute_url()}respond/{passage}/").content.decode()
    link = f'href="{essay.get_absolute_url()}correct/{passage}/"'
    assert link in html and "Suggest a correction" in html
    assert client.get(f"{essay.get_absolute_url()}correct/{passage}/").status_code == 200
    page = PostFactory(kind=Post.Kind.PAGE, title="About", slug="about", body="A page.")
    about = post_passages(page)[0].id
    assert "Suggest a correction" not in client.get(f"/about/respond/{about}/").content.decode()
