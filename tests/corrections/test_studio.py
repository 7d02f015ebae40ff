"""The studio's side: who reads which suggestion (Authors their own posts', Editors every
one), accepting with a note and declining with a reason (emailed), the suggestion beside the
editor, and emails to the essay's authors and Editors when one arrives."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from broadsheet.corrections.models import Correction
from broadsheet.notifications.models import OutgoingEmail
from broadsheet.publishing.models import Post
from tests.corrections.conftest import SCRIPT, suggestion
from tests.factories import PostFactory, role_member

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_suggestion_emails_the_essays_authors_and_the_editors(
    essay: Post, writer: Any, editor: Any
) -> None:
    role_member("Author", "bystander")  # another Author: not told
    correction = suggestion(essay)
    emails = OutgoingEmail.objects.filter(reason="correction")
    assert sorted(emails.values_list("to_address", flat=True)) == [
        "editor@example.org", "writer@example.org"
    ]  # fmt: skip
    email = emails.get(to_address="writer@example.org")
    assert "“On harbours”" in email.subject
    assert "dredged in 1826" in email.text_body and "The year is wrong." in email.text_body
    assert f"/studio/corrections/{correction.pk}/" in email.text_body


@pytest.mark.parametrize(
    ("role", "own", "other"),
    [("Author", 200, 404), ("Editor", 200, 200), ("Administrator", 200, 200),
     ("Contributor", 200, 404)],
)  # fmt: skip
def test_authors_read_their_own_posts_suggestions_editors_every_one(
    role: str, own: int, other: int
) -> None:
    person = role_member(role, "someone")
    stranger = role_member("Author", "stranger")
    mine = suggestion(PostFactory(authors=[person], slug="mine", title="My essay"))
    theirs = suggestion(PostFactory(authors=[stranger], slug="theirs", title="Their essay"))
    client = _client(person)
    assert client.get(f"/studio/corrections/{mine.pk}/").status_code == own
    assert client.get(f"/studio/corrections/{theirs.pk}/").status_code == other
    assert client.get(f"/studio/posts/{mine.post_id}/corrections/").status_code == own
    assert client.get(f"/studio/posts/{theirs.post_id}/corrections/").status_code == other
    listing = client.get("/studio/corrections/").content.decode()
    assert "My essay" in listing
    assert ("Their essay" in listing) == (other == 200)


def test_the_list_shows_only_what_the_author_may_read(essay: Post, writer: Any) -> None:
    stranger = role_member("Author", "stranger")
    suggestion(essay, fix="Mine to read.")
    suggestion(PostFactory(authors=[stranger], slug="theirs"), fix="Not mine.")
    html = _client(writer).get("/studio/corrections/").content.decode()
    assert "On harbours" in html and "Essay number" not in html


def test_subscribers_and_guests_are_kept_out(essay: Post) -> None:
    correction = suggestion(essay)
    reader = role_member("Subscriber", "reader")
    assert _client(reader).get(f"/studio/corrections/{correction.pk}/").status_code == 403
    assert Client().get(f"/studio/corrections/{correction.pk}/").status_code == 302


def test_accepting_needs_a_note_and_publishes_it(client: Client, essay: Post, writer: Any) -> None:
    correction = suggestion(essay)
    studio = _client(writer)
    url = f"/studio/corrections/{correction.pk}/accept/"
    refused = studio.post(url, {"accept-text": "   "})
    assert refused.status_code == 400 and "Please say what changed" in refused.content.decode()
    too_long = "x" * 5_001
    refused = studio.post(url, {"accept-text": too_long})
    assert refused.status_code == 400 and too_long in refused.content.decode()  # text kept
    assert studio.post(url, {"accept-text": "The year is 1862."}).status_code == 302
    correction.refresh_from_db()
    assert correction.status == "accepted" and correction.decided_by == writer
    assert correction.accepted_version == essay.version
    assert "The year is 1862." in client.get(essay.get_absolute_url()).content.decode()
    told = OutgoingEmail.objects.get(key=f"correction-{correction.pk}-accepted")
    assert told.to_address == "ada@example.net" and "The year is 1862." in told.text_body


def test_declining_emails_the_reason_and_publishes_nothing(
    client: Client, essay: Post, editor: Any
) -> None:
    correction = suggestion(essay)
    studio = _client(editor)
    url = f"/studio/corrections/{correction.pk}/decline/"
    refused = studio.post(url, {"decline-text": ""})
    assert (
        refused.status_code == 400
        and "Please give the proposer a reason" in refused.content.decode()
    )
    assert studio.post(url, {"decline-text": f"The ledger says 1826. {SCRIPT}"}).status_code == 302
    correction.refresh_from_db()
    assert correction.status == "declined"
    email = OutgoingEmail.objects.get(key=f"correction-{correction.pk}-declined")
    assert email.to_address == "ada@example.net"
    assert "The ledger says 1826." in email.text_body and email.html_body == ""
    assert "ledger says" not in client.get(essay.get_absolute_url()).content.decode()
    page = studio.get(f"/studio/corrections/{correction.pk}/").content.decode()
    assert SCRIPT not in page and "&lt;script&gt;" in page


def test_a_suggestion_is_decided_once(essay: Post, writer: Any, editor: Any) -> None:
    correction = suggestion(essay)
    _client(writer).post(f"/studio/corrections/{correction.pk}/decline/", {"decline-text": "No."})
    response = _client(editor).post(
        f"/studio/corrections/{correction.pk}/accept/", {"accept-text": "Yes."}, follow=True
    )
    assert "was declined already" in response.content.decode()
    correction.refresh_from_db()
    assert correction.status == "declined" and correction.note == ""


def test_who_may_read_but_not_edit_cannot_decide(essay: Post) -> None:
    """A Contributor who co-wrote a published essay reads its suggestions; deciding is for
    whoever may edit it."""
    contributor = role_member("Contributor", "helper")
    essay.authors.add(contributor)
    correction = suggestion(essay)
    client = _client(contributor)
    page = client.get(f"/studio/corrections/{correction.pk}/").content.decode()
    assert "Accept and publish" not in page and "Whoever may edit this essay" in page
    assert client.post(f"/studio/corrections/{correction.pk}/accept/",
                       {"accept-text": "x"}).status_code == 403  # fmt: skip
    assert Correction.objects.get(pk=correction.pk).status == "pending"


def test_the_suggestion_is_shown_beside_the_editor(essay: Post, writer: Any) -> None:
    correction = suggestion(essay, fix=f"dredged in 1862 {SCRIPT}")
    studio = _client(writer)
    html = studio.get(f"/studio/posts/{essay.pk}/?correction={correction.pk}").content.decode()
    assert 'class="studio-correction studio-correction--beside"' in html
    assert "dredged in 1862" in html and SCRIPT not in html
    assert html.index("studio-correction--beside") < html.index('id="studio-editor"')
    data = {"title": essay.title, "body": essay.body + "\n\nMore.", "slug": essay.slug,
            "status": "published", "based_on": essay.revision,
            "published_at": essay.published_at.strftime("%Y-%m-%dT%H:%M"),
            "authors": [writer.pk], "do": "save"}  # fmt: skip
    saved = studio.post(f"/studio/posts/{essay.pk}/?correction={correction.pk}", data)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    assert saved["Location"] == f"/studio/posts/{essay.pk}/?correction={correction.pk}"


def test_a_forged_or_foreign_suggestion_id_shows_nothing_beside_the_editor(
    essay: Post, writer: Any
) -> None:
    other = suggestion(PostFactory(authors=[writer], slug="another"))
    studio = _client(writer)
    for query in (f"?correction={other.pk}", "?correction=99999999", "?correction=<b>",
                  "?correction=" + "9" * 400):  # fmt: skip
        response = studio.get(f"/studio/posts/{essay.pk}/{query}")
        assert response.status_code == 200
        assert "studio-correction--beside" not in response.content.decode()


def test_forged_suggestion_ids_in_the_studio_are_404(writer: Any) -> None:
    studio = _client(writer)
    assert studio.get("/studio/corrections/99999999/").status_code == 404
    assert (
        studio.post("/studio/corrections/99999999/accept/", {"accept-text": "x"}).status_code == 404
    )
    assert studio.get("/studio/corrections/?status=<script>").status_code == 200
    assert studio.get("/studio/corrections/?page=" + "9" * 400).status_code == 200


def test_the_studio_list_costs_the_same_queries_for_one_suggestion_or_twenty(
    essay: Post, editor: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    studio = _client(editor)
    suggestion(essay)
    studio.get("/studio/corrections/")  # settings and the navigation cached

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert studio.get("/studio/corrections/").status_code == 200
        return len(queries.captured_queries)

    few = count()
    for number in range(19):
        suggestion(PostFactory(authors=[editor], slug=f"essay-{number}"))
    assert count() == few <= 8  # session, account, permissions, the count, the rows
