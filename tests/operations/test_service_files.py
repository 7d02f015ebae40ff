"""`broadsheet service-files`: units systemd itself accepts, hardened as documented."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.processes import broadsheet, broadsheet_env

HARDENING = (
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    "PrivateTmp=yes",
    "CapabilityBoundingSet=\n",
    "Restart=on-failure",
)


def _verify(*units: Path) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.fail(
            "systemd-analyze is missing: `make browser-deps` installs it (apt-get install systemd)"
        )
    return subprocess.run(
        [tool, "verify", *map(str, units)], capture_output=True, text=True, check=False, timeout=120
    )


def test_the_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    env = broadsheet_env(data, f"sqlite:///{data / 'db.sqlite3'}")
    out = tmp_path / "units"
    out.mkdir()
    broadsheet(env, "service-files", "--output", str(out), "--env-file", "/etc/broadsheet/env")
    web, worker = out / "broadsheet-web.service", out / "broadsheet-worker.service"
    for unit, command in ((web, "serve"), (worker, "worker")):
        text = unit.read_text()
        assert all(line in text for line in HARDENING), text
        assert f"ReadWritePaths={data}\n" in text and f"Environment=DATA_DIR={data}\n" in text
        assert f"broadsheet {command}\n" in text and "User=broadsheet\n" in text
        assert "EnvironmentFile=-/etc/broadsheet/env\n" in text
    verified = _verify(web, worker)
    # systemd-analyze exits 0 on directives it ignores, so any word from it is a failure too.
    assert verified.returncode == 0 and verified.stdout + verified.stderr == "", verified.stderr


def test_verify_does_catch_a_broken_unit(tmp_path: Path) -> None:
    """The check above is worth something: a bad value and a missing program are reported."""
    data = tmp_path / "data"
    data.mkdir()
    env = broadsheet_env(data, f"sqlite:///{data / 'db.sqlite3'}")
    broadsheet(env, "service-files", "--output", str(tmp_path))
    web = (tmp_path / "broadsheet-web.service").read_text()
    bad = tmp_path / "bad.service"
    bad.write_text(web.replace("ProtectSystem=strict", "ProtectSystem=bogus"))
    assert "Failed to parse" in _verify(bad).stderr
    missing = tmp_path / "missing.service"
    missing.write_text(web.replace("ExecStart=/", "ExecStart=/nonexistent/"))
    assert _verify(missing).returncode != 0
