"""The archive format on its own: an archive whose checksums are right can still be hostile."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from broadsheet.operations import archive
from broadsheet.operations.restore import RestoreRefused, restore


def _archive(path: Path, members: dict[str, bytes]) -> Path:
    with path.open("wb") as out:
        writer = archive.Writer(out)
        for name, data in members.items():
            writer.add_bytes(name, data)
        writer.close()
    return path


MANIFEST = json.dumps({"format": 1, "engine": "sqlite", "migrations": {}, "counts": {}}).encode()


def test_a_whole_archive_verifies(tmp_path: Path) -> None:
    made = _archive(tmp_path / "a.tar", {"manifest.json": MANIFEST, "media/a/b.png": b"png"})
    assert archive.verify(made).members == ["manifest.json", "media/a/b.png"]


@pytest.mark.parametrize("name", ["media/../../evil.txt", "media/../secret_key", "media/"])
def test_a_media_path_outside_the_folder_is_refused_before_anything_changes(
    tmp_path: Path, name: str, settings: object, db: None
) -> None:
    made = _archive(tmp_path / "a.tar", {"manifest.json": MANIFEST, name: b"x"})
    settings.MEDIA_ROOT = tmp_path / "site" / "media"  # type: ignore[attr-defined]
    (tmp_path / "site").mkdir()
    with pytest.raises((RestoreRefused, archive.ArchiveError)):
        restore(made, force=True)
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "site" / "media").exists()


def test_a_link_member_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "link.tar"
    with tarfile.open(path, "w") as tar:
        tar.addfile(tarfile.TarInfo("manifest.json"), io.BytesIO(b""))
        link = tarfile.TarInfo("media/x")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(link)
    with pytest.raises(archive.ArchiveError, match="not a plain file"):
        archive.verify(path)


@pytest.mark.parametrize("junk", [b"", b"\0" * 10, b"not a tar at all" * 100])
def test_junk_is_refused_with_a_reason(tmp_path: Path, junk: bytes) -> None:
    path = tmp_path / "junk.tar"
    path.write_bytes(junk)
    with pytest.raises(archive.ArchiveError) as refused:
        archive.verify(path)
    assert str(refused.value)


def test_every_single_flipped_byte_is_caught(tmp_path: Path) -> None:
    made = _archive(tmp_path / "a.tar", {"manifest.json": MANIFEST, "media/p.png": b"x" * 700})
    data = made.read_bytes()
    damaged = tmp_path / "d.tar"
    # Every third byte of the headers, contents and padding (one bit each, a different bit each
    # to byte), and the end blocks every 61st. Run once over every bit of every byte: all caught.
    offsets = [*range(0, 3584, 3), *range(3584, len(data), 61)]
    for offset in offsets:
        flipped = bytearray(data)
        flipped[offset] ^= 1 << (offset % 8)
        damaged.write_bytes(bytes(flipped))
        with pytest.raises(archive.ArchiveError):
            archive.verify(damaged)
