"""The backup archive: one uncompressed tar, checked byte for byte before anything is restored.

Members, in order: `manifest.json` (what the backup holds: Broadsheet's version, the engine,
the applied migrations, row counts), the database (`database.sqlite3`, or `database.pgdump`
in pg_dump's custom format), `export.json` (the secret-free export, docs/export-format.md),
the uploaded files under `media/`, and last `checksums.sha256`: the SHA-256 of every member
and of every byte of the archive before it. Any byte changed in a member, a tar header or the
padding is caught by one of those digests; the zero blocks after the last member are checked
to be zeros; a truncated archive lacks its last member or the bytes a digest covers.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

MANIFEST = "manifest.json"
CHECKSUMS = "checksums.sha256"
EXPORT = "export.json"
DATABASES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
PREFIX_LINE = "archive-before-checksums"
FORMAT = 1
CHUNK = 1024 * 1024
_DIGEST = re.compile(r"[0-9a-f]{64}")


class ArchiveError(Exception):
    """The archive cannot be trusted; the message says why, for the operator."""


class _HashingWriter(io.RawIOBase):
    """The file the tar is written to, hashing every byte on its way there."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.digest = hashlib.sha256()
        self.written = 0

    def writable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.written

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self.digest.update(view)
        self.target.write(view)
        self.written += len(view)
        return len(view)


class _HashingReader(io.RawIOBase):
    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.source.read(len(buffer))
        self.digest.update(data)
        buffer[: len(data)] = data
        return len(data)


class Writer:
    """Writes the members in turn; `close()` adds the checksums member and the end."""

    def __init__(self, target: IO[bytes]) -> None:
        self._out = _HashingWriter(target)
        self._tar = tarfile.open(fileobj=self._out, mode="w", format=tarfile.PAX_FORMAT)  # noqa: SIM115 (closed in close())
        self._digests: dict[str, str] = {}

    def add_bytes(self, name: str, data: bytes) -> None:
        self.add_stream(name, io.BytesIO(data), len(data))

    def add_file(self, name: str, path: Path) -> None:
        with path.open("rb") as stream:
            self.add_stream(name, stream, path.stat().st_size)

    def add_stream(self, name: str, stream: IO[bytes], size: int) -> None:
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = size, int(time.time()), 0o600
        reader = _HashingReader(stream)
        self._tar.addfile(info, reader)
        self._digests[name] = reader.digest.hexdigest()

    def close(self) -> None:
        lines = [f"{digest}  {name}" for name, digest in self._digests.items()]
        lines.append(f"{self._out.digest.hexdigest()}  {PREFIX_LINE}")
        data = ("\n".join(lines) + "\n").encode()
        self._tar.addfile(_checksums_info(len(data), int(time.time())), io.BytesIO(data))
        self._tar.close()


def _checksums_info(size: int, mtime: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(CHECKSUMS)
    info.size, info.mtime, info.mode = size, mtime, 0o600
    return info


@dataclass
class Verified:
    manifest: dict[str, Any]
    members: list[str] = field(default_factory=list)


def verify(path: Path) -> Verified:
    """Check every digest of the archive at `path`; raises ArchiveError naming what is wrong."""
    try:
        digests, last, end = _member_digests(path)
    except (tarfile.TarError, OSError, EOFError) as error:
        raise ArchiveError(f"it cannot be read as a backup archive ({error}).") from None
    if last is None or last.name != CHECKSUMS:
        raise ArchiveError(f"it does not end with {CHECKSUMS}: it is truncated or not a backup.")
    expected = _parse_checksums(path)
    _compare(digests, expected)
    if _prefix_digest(path, last.offset) != expected[PREFIX_LINE]:
        raise ArchiveError("a tar header or padding was changed (the archive's digest differs).")
    _check_last_header(path, last)
    _check_trailer(path, end)
    manifest = _read_manifest(path)
    return Verified(manifest, [name for name in digests if name != CHECKSUMS])


def _member_digests(path: Path) -> tuple[dict[str, str], tarfile.TarInfo | None, int]:
    """Each member's digest, the last member, and where its contents end."""
    digests: dict[str, str] = {}
    last, end = None, 0
    with tarfile.open(path, mode="r:") as tar:
        for member in tar:
            if not member.isfile():
                raise ArchiveError(f"it holds {member.name!r}, which is not a plain file.")
            if member.name in digests:
                raise ArchiveError(f"it holds {member.name!r} twice.")
            digests[member.name] = _digest(tar, member)
            last, end = member, member.offset_data + member.size
    return digests, last, end


def _check_last_header(path: Path, last: tarfile.TarInfo) -> None:
    """The checksums member's own header, which no digest covers, must be byte for byte the
    one the writer makes (a changed byte that still parses is caught here)."""
    expected = _checksums_info(last.size, int(last.mtime)).tobuf(tarfile.PAX_FORMAT)
    with path.open("rb") as stream:
        stream.seek(last.offset)
        if stream.read(len(expected)) != expected:
            raise ArchiveError(f"the header of {CHECKSUMS} was changed.")


def _digest(tar: tarfile.TarFile, member: tarfile.TarInfo) -> str:
    stream = tar.extractfile(member)
    assert stream is not None
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _parse_checksums(path: Path) -> dict[str, str]:
    with tarfile.open(path, mode="r:") as tar:
        stream = tar.extractfile(CHECKSUMS)
        assert stream is not None
        raw = stream.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ArchiveError(f"its {CHECKSUMS} is damaged (not UTF-8).") from None
    expected: dict[str, str] = {}
    *lines, after = text.split("\n")  # "\n" only: splitlines() would also split at \x0b …
    for line in lines:
        digest, _, name = line.partition("  ")
        if not _DIGEST.fullmatch(digest) or not name or name in expected:
            raise ArchiveError(f"its {CHECKSUMS} is damaged (line {line[:80]!r}).")
        expected[name] = digest
    if after:
        raise ArchiveError(f"its {CHECKSUMS} is damaged (it does not end with a line break).")
    if PREFIX_LINE not in expected:
        raise ArchiveError(f"its {CHECKSUMS} is damaged (no digest of the archive).")
    return expected


def _compare(digests: dict[str, str], expected: dict[str, str]) -> None:
    listed = {name for name in expected if name != PREFIX_LINE}
    present = {name for name in digests if name != CHECKSUMS}
    for name in sorted(listed - present):
        raise ArchiveError(f"{name} is missing: the archive is truncated or damaged.")
    for name in sorted(present - listed):
        raise ArchiveError(f"{name} is not listed in {CHECKSUMS}: the archive was altered.")
    for name in present:
        if digests[name] != expected[name]:
            raise ArchiveError(f"{name} does not match its SHA-256 checksum: it is damaged.")
    if MANIFEST not in present:
        raise ArchiveError(f"it has no {MANIFEST}: it is not a Broadsheet backup.")


def _prefix_digest(path: Path, length: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        left = length
        while left > 0 and (chunk := stream.read(min(CHUNK, left))):
            digest.update(chunk)
            left -= len(chunk)
    return digest.hexdigest()


def _check_trailer(path: Path, end: int) -> None:
    with path.open("rb") as stream:
        stream.seek(end)
        rest = stream.read()
    # The last member's padding and the end-of-archive blocks: zeros, at least two blocks.
    if len(rest) < 1024 or rest.strip(b"\0"):
        raise ArchiveError("its end was changed or cut off (the closing zero blocks differ).")


def _read_manifest(path: Path) -> dict[str, Any]:
    with tarfile.open(path, mode="r:") as tar:
        stream = tar.extractfile(MANIFEST)
        assert stream is not None
        try:
            manifest = json.loads(stream.read())
        except ValueError as error:
            raise ArchiveError(f"its {MANIFEST} cannot be read ({error}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError(f"its {MANIFEST} is of an unknown format.")
    return manifest


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest alone (the first member): for listings, without verifying the archive."""
    return _read_manifest(path)


def media_members(tar: tarfile.TarFile) -> Iterator[tuple[tarfile.TarInfo, PurePosixPath]]:
    """The uploaded files, each with its path under the media folder (never outside it)."""
    for member in tar:
        if not member.name.startswith("media/"):
            continue
        relative = PurePosixPath(member.name).relative_to("media")
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            raise ArchiveError(f"it names a file outside the media folder ({member.name!r}).")
        yield member, relative
