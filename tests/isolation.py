"""The test run's own data folder and secret key, decided before Django's settings load.

`make test` may run in the checkout where `make run` serves a site, with the Makefile's
`DATA_DIR` (that site's database, cache, media, secret key and admin password) in the
environment. The suite never uses it: the root conftest calls `use_a_data_dir_of_our_own()`
before anything imports the settings, so even a bare `pytest` is safe. pytest-django is given no
settings module in pyproject.toml for that reason (it would load the settings earlier).
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import tempfile
from pathlib import Path

# Set by the process that made the folder; xdist workers (and subprocesses) inherit it.
RUN_DIR_VARIABLE = "BROADSHEET_TEST_RUN_DATA_DIR"


def use_a_data_dir_of_our_own() -> Path:
    inherited = os.environ.get(RUN_DIR_VARIABLE)
    if inherited and os.environ.get("DATA_DIR") == inherited:
        return Path(inherited)
    if _settings_already_loaded():
        raise SystemExit(
            "The Django settings were loaded before the test suite could give itself a data "
            "folder of its own (DJANGO_SETTINGS_MODULE or --ds was given). Run the tests without "
            "them: the suite sets broadsheet.settings itself and never uses your DATA_DIR."
        )
    path = Path(tempfile.mkdtemp(prefix="broadsheet-tests-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    os.environ[RUN_DIR_VARIABLE] = os.environ["DATA_DIR"] = str(path)
    # A key of the run's own: never the user's, and set, as every machine of a site sharing
    # PostgreSQL or Redis must have it (the settings refuse a generated one there).
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(48)
    os.environ["DJANGO_SETTINGS_MODULE"] = "broadsheet.settings"
    return path


def _settings_already_loaded() -> bool:
    import sys

    conf = sys.modules.get("django.conf")
    return bool(conf is not None and conf.settings.configured)
