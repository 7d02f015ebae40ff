from __future__ import annotations

import uuid
from typing import Any

import pytest


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
def _isolated_cache(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test sees an empty cache without clearing one another's (xdist workers share Redis)."""
    default = {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    if default["BACKEND"].endswith("FileBasedCache"):
        default["LOCATION"] = str(tmp_path_factory.mktemp("cache"))
    settings.CACHES = {"default": default}


@pytest.fixture
def author(db: None) -> Any:
    from tests.factories import AuthorFactory

    return AuthorFactory(username="mhale", profile__display_name="Margaret Hale")
