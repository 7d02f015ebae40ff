"""The test suite never reads or writes the user's DATA_DIR (DESIGN.md §8, tests/isolation.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings

from tests import sentinel
from tests.isolation import RUN_DIR_VARIABLE

ROOT = Path(__file__).resolve().parents[1]


def test_the_run_has_a_data_dir_of_its_own_in_the_temporary_folder() -> None:
    own = Path(os.environ[RUN_DIR_VARIABLE])
    assert Path(settings.DATA_DIR) == own and os.environ["DATA_DIR"] == str(own)
    assert own.is_relative_to(Path(tempfile.gettempdir()).resolve())
    assert own.name.startswith("broadsheet-tests-")
    assert Path(settings.MEDIA_ROOT).is_relative_to(own)
    assert Path(settings.STATIC_ROOT).is_relative_to(own)


def test_a_run_given_the_users_data_dir_leaves_it_untouched(tmp_path: Path) -> None:
    # The Makefile exports DATA_DIR=./data, the folder `make run` serves from. A run of a test
    # that writes into settings.DATA_DIR (the demo writes admin-password.txt there) is given a
    # sentinel copy of such a folder. (.ci/run does the same around the whole suite, -n 2.)
    user_data = tmp_path / "data"
    user_data.mkdir()
    sentinel.create(user_data)
    env = {**os.environ, "DATA_DIR": str(user_data)}
    for name in (RUN_DIR_VARIABLE, "DJANGO_SETTINGS_MODULE", "SECRET_KEY"):
        env.pop(name, None)  # what the suite set for itself; the user's shell has none of it
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)  # the test database of this run is in use by this run
    result = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"),
            "tests/test_cli.py::test_demo_loads_an_essay_shaped_like_the_reference_page",
            "tests/test_isolation.py::test_the_run_has_a_data_dir_of_its_own_in_the_temporary_folder",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
    assert sentinel.changes(user_data) == []


def test_the_sentinel_sees_reads_and_writes(tmp_path: Path) -> None:
    # Guards the guard: the check above would pass vacuously if the fingerprint saw nothing.
    sentinel.create(tmp_path)
    assert sentinel.changes(tmp_path) == []
    (tmp_path / "admin-password.txt").write_text("rewritten\n", encoding="utf-8")
    (tmp_path / "cache" / "new.djcache").write_bytes(b"x")
    found = sentinel.changes(tmp_path)
    assert "admin-password.txt: written" in found and "cache/new.djcache: created" in found
    if sentinel.reads_are_visible(tmp_path / "cache"):  # `noatime` file systems hide reads
        sentinel.create(tmp_path)
        (tmp_path / "secret_key").read_bytes()
        assert sentinel.changes(tmp_path) == ["secret_key: read"]
