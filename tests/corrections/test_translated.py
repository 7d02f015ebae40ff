"""Corrections speak the site's language: the emails (subjects as whole sentences, bodies),
sources' refusals, the feed's fixed texts; in the pseudo language every translated string is
marked ⟦ ⟧, and the English of the emails is as it was."""

from __future__ import annotations

from typing import Any

import pytest

from broadsheet.corrections.sources import BadSource, parse_sources
from broadsheet.notifications.models import OutgoingEmail
from broadsheet.publishing.models import Post
from tests.corrections.conftest import accepted, suggestion
from tests.i18n.test_pseudo_locale import CLOSE, OPEN, in_pseudo, pseudo_locale  # noqa: F401
from tests.i18n.test_pseudo_locale import pytestmark as pseudo_marks

pytestmark = pseudo_marks


@pytest.mark.usefixtures("in_pseudo")
def test_the_emails_are_written_in_the_sites_language(essay: Post, writer: Any) -> None:
    accepted(essay)
    told = OutgoingEmail.objects.get(to_address="writer@example.org")
    assert told.subject.startswith(f"{OPEN}[") and told.subject.endswith(f"“On harbours”{CLOSE}")
    assert f"{OPEN}What is wrong:{CLOSE}" in told.text_body
    assert f"{OPEN}They agree to be credited by name.{CLOSE}" in told.text_body
    thanked = OutgoingEmail.objects.get(to_address="ada@example.net")
    assert "Your correction was published: “On harbours”" in thanked.subject
    assert thanked.subject.startswith(OPEN)
    assert f"{OPEN}What changed:{CLOSE}" in thanked.text_body
    assert "The year is 1862, not 1826." in thanked.text_body


@pytest.mark.usefixtures("in_pseudo")
def test_a_refused_source_says_so_in_the_sites_language() -> None:
    with pytest.raises(BadSource) as none:
        parse_sources("", [], set())
    assert none.value.message.startswith(f"{OPEN}Please give at least one source")
    with pytest.raises(BadSource) as unknown:
        parse_sources("@nobody", [], {"marsh1998"})
    assert unknown.value.message == f"{OPEN}“@nobody” is not a reference of this essay.{CLOSE}"


def test_the_emails_english_is_as_it_was(essay: Post, writer: Any) -> None:
    accepted(essay, credit=False)
    told = OutgoingEmail.objects.get(to_address="writer@example.org")
    assert told.subject.endswith("] A correction suggested to “On harbours”")
    assert 'Ada Reader suggests a correction to "On harbours".\n\n' in told.text_body
    assert "The passage (p-first):\n“dredged in 1826”\n" in told.text_body
    assert "They would rather not be named.\n\nAccept or decline it in the studio" in told.text_body
    thanked = OutgoingEmail.objects.get(to_address="ada@example.net")
    assert thanked.subject.endswith("] Your correction was published: “On harbours”")
    assert thanked.text_body.startswith(
        'Thank you: the correction you suggested to "On harbours" was accepted.\n\nWhat changed:\n'
    )
    assert 'It is listed under "Corrections and updates" at the end of the essay:\n' in (
        thanked.text_body
    )


def test_a_declined_suggestions_email_in_english(essay: Post, writer: Any) -> None:
    from broadsheet.corrections.services import correction_decline

    correction_decline(correction=suggestion(essay), by=None, reason="The ledger says 1826.")
    told = OutgoingEmail.objects.get(to_address="ada@example.net")
    assert told.subject.endswith("] About your suggested correction to “On harbours”")
    assert told.text_body.startswith(
        'Thank you for suggesting a correction to "On harbours". The author has decided not to '
        "make it, and says why:\n\nThe ledger says 1826.\n\nWhat you suggested:\n"
    )


def test_each_email_is_in_its_recipients_language(
    settings: Any, request: pytest.FixtureRequest, essay: Post, writer: Any
) -> None:
    """The author chose the pseudo language in their profile: theirs is in it; the guest who
    suggested the correction gets the site's English (decision 0118)."""
    settings.LOCALE_PATHS = [request.getfixturevalue("pseudo_locale"), *settings.LOCALE_PATHS]
    settings.LANGUAGES = [("xx", "Pseudo"), *settings.LANGUAGES]
    writer.profile.language = "xx"
    writer.profile.save()
    accepted(essay)
    told = OutgoingEmail.objects.get(to_address="writer@example.org")
    assert told.subject.startswith(OPEN) and f"{OPEN}What is wrong:{CLOSE}" in told.text_body
    thanked = OutgoingEmail.objects.get(to_address="ada@example.net")
    assert OPEN not in thanked.subject + thanked.text_body
