from __future__ import annotations

from typing import Any

import pytest

SCRIPT = '<script>alert("x")</script>'


@pytest.fixture
def writer(db: Any) -> Any:
    """The essay's author, in the Author role."""
    from tests.factories import role_member

    return role_member("Author", "writer")


@pytest.fixture
def editor(db: Any) -> Any:
    from tests.factories import role_member

    return role_member("Editor", "editor")


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


def suggestion(post: Any, **fields: Any) -> Any:
    """A suggestion stored through the action, on the first words of the essay."""
    from broadsheet.core.anchoring import Selector
    from broadsheet.corrections.services import correction_suggest
    from broadsheet.corrections.sources import Source

    values: dict[str, Any] = {
        "post": post,
        "selector": Selector(
            passage="p-first", exact="dredged in 1826", prefix="The harbour was ",
            suffix=" by the town.", start=16, end=31,
        ),
        "problem": "The year is wrong.",
        "fix": "dredged in 1862",
        "sources": [Source("url", "https://example.org/ledger")],
        "credit": True,
        "user": None,
        "name": "Ada Reader",
        "email": "ada@example.net",
    }  # fmt: skip
    values.update(fields)
    return correction_suggest(**values)


def accepted(post: Any, note: str = "The year is 1862, not 1826.", **fields: Any) -> Any:
    from broadsheet.corrections.services import correction_accept

    return correction_accept(correction=suggestion(post, **fields), by=None, note=note)
