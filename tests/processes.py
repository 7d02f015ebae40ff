"""Running `broadsheet` in other processes, against a database and data folder of the test's own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BROADSHEET = [sys.executable, "-m", "broadsheet.cli"]


def broadsheet_env(tmp_path: Path, database_url: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "broadsheet.settings",
        **extra,
    }
    env.pop("REDIS_URL", None)  # a file cache of its own in DATA_DIR
    return env


def broadsheet(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BROADSHEET, *args], env=env, check=True, capture_output=True, text=True, timeout=300
    )
