"""The scorer's numpy and scipy are the worker's: a web process that loads them pays some 30 MB
each (bench/compare.py holds the peak memory per worker to a target)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

LOAD_THE_SITE = """
import sys
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns  # every app's urls and views
import broadsheet.wsgi  # what the server loads
print(sorted(name for name in ("numpy", "scipy") if name in sys.modules))
"""


def test_a_web_process_does_not_load_numpy_or_scipy(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "broadsheet.settings",
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", LOAD_THE_SITE], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
