from __future__ import annotations

from typing import Any

import pytest


def _member(role: str, username: str) -> Any:
    from tests.factories import role_member  # after Django is set up

    return role_member(role, username)


@pytest.fixture
def writer(db: Any) -> Any:
    return _member("Contributor", "writer")


@pytest.fixture
def author(db: Any) -> Any:
    return _member("Author", "author")


@pytest.fixture
def editor(db: Any) -> Any:
    return _member("Editor", "editor")
