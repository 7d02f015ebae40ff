from __future__ import annotations

from typing import Any

import pytest

SCRIPT = '<script>alert("x")</script>'
GOOD_SOURCE = "https://example.org/ledger"


@pytest.fixture
def writer(db: Any) -> Any:
    """The essay's author, in the Author role."""
    from tests.factories import role_member

    return role_member("Author", "writer")


@pytest.fixture
def essay(writer: Any) -> Any:
    from tests.factories import PostFactory

    return PostFactory(
        title="On harbours",
        slug="on-harbours",
        authors=[writer],
        body="The harbour was dredged in 1826 by the town.\n\nA second paragraph.[^1]\n\n"
        "[^1]: The town ledger.\n",
    )


@pytest.fixture
def nora(db: Any) -> Any:
    """A reader who may write and rate: a month-old account with a verified address."""
    from tests.factories import verified_reader

    return verified_reader("nora")


@pytest.fixture
def rita(db: Any) -> Any:
    from tests.factories import verified_reader

    return verified_reader("rita")


@pytest.fixture
def roomy(db: Any) -> None:
    """Limits out of the way: these tests are about input, not floods."""
    from broadsheet.notes.models import NoteSettings

    settings = NoteSettings.current()
    settings.notes_per_day = settings.ratings_per_hour = 100_000
    settings.save()


def a_note(post: Any, author: Any, body: str = "The ledger says 1862.", **fields: Any) -> Any:
    """A note stored through the action (on the whole essay unless a selector is given)."""
    from broadsheet.corrections.sources import Source
    from broadsheet.notes.services import note_write

    values: dict[str, Any] = {"post": post, "author": author, "body": body,
                              "sources": [Source("url", GOOD_SOURCE)], "selector": None}  # fmt: skip
    values.update(fields)
    return note_write(**values)
