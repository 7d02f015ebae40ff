"""`broadsheet backup` and `broadsheet restore`, run as an operator runs them."""

from __future__ import annotations

import json
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.processes import BROADSHEET, broadsheet, broadsheet_env


def _site(root: Path, database_url: str) -> dict[str, str]:
    root.mkdir(parents=True, exist_ok=True)
    return broadsheet_env(root, database_url)


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BROADSHEET, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture
def demo_site(tmp_path: Path, subprocess_database_url: str) -> dict[str, str]:
    env = _site(tmp_path / "one", subprocess_database_url)
    broadsheet(env, "migrate", "--noinput")
    broadsheet(env, "demo", "--verbosity", "0")
    media = tmp_path / "one" / "media" / "avatars"
    media.mkdir(parents=True)
    (media / "face.png").write_bytes(b"\x89PNG fake image bytes")
    return env


def _second_site(tmp_path: Path, database_url: str) -> dict[str, str]:
    env = _site(tmp_path / "two", database_url)
    broadsheet(env, "migrate", "--noinput")
    return env


def test_backup_then_restore_into_an_empty_site(
    demo_site: dict[str, str], tmp_path: Path, second_database_url: str
) -> None:
    archive = tmp_path / "site.tar"
    done = broadsheet(demo_site, "backup", "--output", str(archive))
    assert "comments" in done.stdout
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert names[0] == "manifest.json" and names[-1] == "checksums.sha256"
    assert "export.json" in names and "media/avatars/face.png" in names
    assert manifest["counts"]["discussion.comment"] > 0
    assert "0001_initial" in manifest["migrations"]["discussion"]
    assert "secret_key" not in " ".join(names)

    second = _second_site(tmp_path, second_database_url)
    restored = broadsheet(second, "restore", str(archive))
    assert "Restored" in restored.stdout
    check = _run(second, "shell", "-c", COUNT)
    assert int(check.stdout.split()[-1]) == manifest["counts"]["discussion.comment"]
    assert (tmp_path / "two" / "media" / "avatars" / "face.png").read_bytes().startswith(b"\x89PNG")

    # The site now holds the backup's data: a second restore is refused without --force.
    again = _run(second, "restore", str(archive))
    assert again.returncode != 0 and "not empty" in again.stderr
    forced = _run(second, "restore", "--force", str(archive))
    assert forced.returncode == 0, forced.stderr


COUNT = "from broadsheet.discussion.models import Comment; print(Comment.objects.count())"


@pytest.mark.parametrize("damage", ["flip", "truncate", "flip-header", "append"])
def test_a_damaged_archive_is_refused_and_nothing_is_restored(
    demo_site: dict[str, str], tmp_path: Path, second_database_url: str, damage: str
) -> None:
    archive = tmp_path / "site.tar"
    broadsheet(demo_site, "backup", "--output", str(archive))
    data = bytearray(archive.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0x01
    elif damage == "flip-header":
        data[600] ^= 0x20  # inside the database member's tar header
    elif damage == "append":
        data += b"x"
    else:
        del data[len(data) * 2 // 3 :]
    archive.write_bytes(bytes(data))
    second = _second_site(tmp_path, second_database_url)
    refused = _run(second, "restore", str(archive))
    assert refused.returncode != 0
    assert "refused" in refused.stderr and "Nothing was restored" in refused.stderr
    assert _run(second, "shell", "-c", COUNT).stdout.split()[-1] == "0"
    assert not (tmp_path / "two" / "media" / "avatars").exists()
