from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def second_database_url(tmp_path: Path) -> Iterator[str]:
    """The database of a second site, the one a backup is restored into."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'second.sqlite3'}"
        return
    from tests.processes import throwaway_postgres

    with throwaway_postgres(url) as database_url:
        yield database_url
