"""Settings come from the environment, every one is documented, and bad values stop start-up."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "broadsheet"
ENV_READ = re.compile(
    r"""(?:env_(?:str|bool|int|list|url)\(\s*|os\.environ(?:\.get|\.setdefault)?\(\s*|os\.environ\[\s*|os\.getenv\(\s*)["']([A-Z][A-Z0-9_]*)["']"""
)


def _variables_read_by_the_code() -> set[str]:
    names: set[str] = set()
    for path in SRC.rglob("*.py"):
        names.update(ENV_READ.findall(path.read_text(encoding="utf-8")))
    return names


def test_the_scan_finds_the_settings_we_know_about() -> None:
    # Guards the guard: if the pattern stopped matching, the next test would pass vacuously.
    assert {
        "DATABASE_URL",
        "SECRET_KEY",
        "DEBUG",
        "ALLOWED_HOSTS",
        "SITE_URL",
        "DATA_DIR",
        "PORT",
    } <= _variables_read_by_the_code()


def test_every_environment_variable_is_documented() -> None:
    documented = set(
        re.findall(
            r"`([A-Z][A-Z0-9_]*)`", (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
        )
    )
    assert sorted(_variables_read_by_the_code() - documented) == []


def test_every_sign_in_provider_variable_is_documented() -> None:
    # These names are built from a prefix, which the scan above cannot see.
    from broadsheet.accounts.providers.config import PROVIDERS

    documented = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for prefix, _ in PROVIDERS.values():
        for suffix in ("_CLIENT_ID", "_CLIENT_SECRET"):
            assert f"`{prefix}{suffix}`" in documented


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    full_env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG", "SITE_URL"}
    }
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "broadsheet.cli", *(args or ("check",))],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("variable", "value", "example"),
    [
        ("DEBUG", "maybe", "DEBUG=false"),
        ("POSTS_PER_PAGE", "ten", "POSTS_PER_PAGE=10"),
        ("POSTS_PER_PAGE", "0", "POSTS_PER_PAGE=10"),
        ("SITE_URL", "essays.example.org", "SITE_URL=https://essays.example.org"),
        ("DATABASE_URL", "mysql://root@localhost/x", "DATABASE_URL=sqlite:///"),
        ("DATABASE_URL", "nonsense", "DATABASE_URL="),
        ("REDIS_URL", "127.0.0.1:6379", "REDIS_URL=redis://127.0.0.1:6379/0"),
        ("SECRET_KEY", "short", "SECRET_KEY="),
    ],
)
def test_a_malformed_setting_stops_start_up_naming_the_variable(
    tmp_path: Path, variable: str, value: str, example: str
) -> None:
    result = _run({"DATA_DIR": str(tmp_path), variable: value})
    assert result.returncode == 2, result.stderr
    assert f"The environment variable {variable}" in result.stderr
    assert example in result.stderr
    assert "Traceback" not in result.stderr


def _one_machine(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a site on one machine: SQLite in DATA_DIR, no Redis, no SECRET_KEY."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    return {**env, "DATA_DIR": str(tmp_path), "SECRET_KEY": "", **extra}


def test_the_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    env = _one_machine(tmp_path, DJANGO_SETTINGS_MODULE="broadsheet.settings")
    first = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    second = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert first.stdout == second.stdout and len(first.stdout.strip()) >= 32
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first.stdout.strip()
    assert key_file.stat().st_mode & 0o077 == 0


def test_readme_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^\s*(make \w+)\s*$", readme, flags=re.M)
    assert commands[:2] == ["make run", "make test"]


@pytest.mark.parametrize(
    ("shared", "named"),
    [
        ({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/broadsheet"}, "PostgreSQL"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/0"}, "Redis"),
    ],
)
def test_a_site_sharing_postgresql_or_redis_refuses_a_key_made_on_this_machine(
    tmp_path: Path, shared: dict[str, str], named: str
) -> None:
    # Another machine would make a key of its own: sessions and signed links would fail there.
    for command in ("serve", "worker", "migrate"):
        result = subprocess.run(
            [sys.executable, "-m", "broadsheet.cli", command],
            env=_one_machine(tmp_path, **shared),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2, result.stderr
        assert "The environment variable SECRET_KEY must be set" in result.stderr
        assert "on every machine" in result.stderr and named in result.stderr
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_a_site_sharing_postgresql_and_redis_starts_with_a_secret_key_given(
    tmp_path: Path,
) -> None:
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    key = "k" * 40
    env = _one_machine(
        tmp_path,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/broadsheet",
        REDIS_URL="redis://127.0.0.1:6379/0",
        SECRET_KEY=key,
        DJANGO_SETTINGS_MODULE="broadsheet.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == key
