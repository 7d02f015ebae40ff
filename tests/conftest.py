from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.isolation import use_a_data_dir_of_our_own

# Before anything reads the settings: the run's own DATA_DIR and SECRET_KEY (tests/isolation.py).
use_a_data_dir_of_our_own()

# Property tests are bounded and the same on every run in CI: a fixed number of examples drawn
# from a derandomized seed, no example database. `pytest --hypothesis-profile=fuzz` searches
# far longer, with fresh randomness, for a night's hunting.
_HEALTH = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large]
hypothesis_settings.register_profile(
    "broadsheet",
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=_HEALTH,
)
hypothesis_settings.register_profile(
    "fuzz", max_examples=2_000, deadline=None, suppress_health_check=_HEALTH
)
hypothesis_settings.load_profile("broadsheet")

from django.conf import settings  # noqa: E402

settings.INSTALLED_APPS  # noqa: B018  (loaded now, so pytest-django sets Django up with them)


@pytest.fixture(autouse=True)
def _plain_static_storage(settings: Any) -> None:
    """Tests serve static files from the source tree; the hashed manifest is built by collectstatic."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(autouse=True)
def _render_every_page(settings: Any) -> None:
    """Tests measure rendering (queries, bytes); tests of the page cache turn it back on."""
    settings.PAGE_CACHE = False


@pytest.fixture(autouse=True)
def _isolated_cache(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test sees empty caches without clearing one another's (xdist workers share Redis)."""
    isolated = {}
    for alias, config in settings.CACHES.items():
        isolated[alias] = {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        if config["BACKEND"].endswith("FileCache"):
            isolated[alias]["LOCATION"] = str(tmp_path_factory.mktemp(f"cache-{alias}"))
    settings.CACHES = isolated


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest) -> Iterator[Any]:
    """pytest-django's live server (the same address options), whose open connections end
    before it stops (tests/liveserver.py)."""
    from pytest_django.live_server_helper import LiveServer

    from tests.liveserver import ClosingServer

    address = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(address, start=False)
    server.thread.server_class = ClosingServer
    server.start()
    yield server
    server.thread.httpd.end_connections()
    server.stop()


@pytest.fixture
def author(db: None) -> Any:
    from tests.factories import AuthorFactory

    return AuthorFactory(username="mhale", profile__display_name="Margaret Hale")


@pytest.fixture
def subprocess_database_url(tmp_path: Any) -> Iterator[str]:
    """A database of its own for a test that runs `broadsheet` in other processes.

    SQLite: a file in the test's folder. PostgreSQL (CI's second run): a throw-away database
    on the same server, so parallel tests never flush each other's data.
    """
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'db.sqlite3'}"
        return
    from tests.processes import throwaway_postgres

    with throwaway_postgres(url) as database_url:
        yield database_url
