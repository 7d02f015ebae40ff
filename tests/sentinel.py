"""A sentinel DATA_DIR: a site's files, fingerprinted so any write (and, where the file system
keeps access times, any read) by the test suite shows.

    python -m tests.sentinel create DIR   # before a test run with DATA_DIR=DIR (.ci/run)
    python -m tests.sentinel check DIR    # after it: exits 1, listing what changed
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

FILES = {
    "secret_key": "sentinel-secret-key-of-the-users-site-0123456789abcdef",
    "admin-password.txt": "the-users-admin-password\n",
    "broadsheet.sqlite3": "not a database: a test that opened it would fail loudly\n",
    "media/avatars/1.png": "the user's avatar\n",
    "cache/page.djcache": "the user's cached page\n",
    "static/broadsheet/site.css": "/* the user's collected static file */\n",
    "imports/export.xml": "<rss/>\n",
}
FINGERPRINT = ".sentinel-fingerprint.json"
HOUR_NS = 3600 * 10**9


def create(folder: Path) -> None:
    for name, text in FILES.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    taken = fingerprint(folder)  # hashing reads the files: their access times are set after
    for name, entry in taken.items():
        if entry[0] == "file":
            # An access time older than the modification time: with Linux's default `relatime`
            # the next read of the file moves it, so a read shows as well as a write.
            mtime = int(str(entry[2]))
            os.utime(folder / name, ns=(mtime - HOUR_NS, mtime))
            entry[3] = mtime - HOUR_NS
    (folder / FINGERPRINT).write_text(json.dumps(taken), encoding="utf-8")


def fingerprint(folder: Path) -> dict[str, list[object]]:
    """Every entry under `folder` with its kind, size, times and content hash."""
    result: dict[str, list[object]] = {}
    for path in _entries(folder):
        stat = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        result[str(path.relative_to(folder))] = [
            "dir" if path.is_dir() else "file",
            stat.st_size if path.is_file() else 0,
            stat.st_mtime_ns,
            stat.st_atime_ns if path.is_file() else 0,
            digest,
        ]
    return result


def changes(folder: Path) -> list[str]:
    """What differs from the fingerprint taken by `create` (hashing reads the files, so access
    times are compared before it and put back after it)."""
    before: dict[str, list[object]] = json.loads((folder / FINGERPRINT).read_text("utf-8"))
    access = {
        str(path.relative_to(folder)): path.stat().st_atime_ns
        for path in _entries(folder)
        if path.is_file()
    }
    after = fingerprint(folder)
    found = []
    for name in sorted(set(before) | set(after)):
        if name not in after:
            found.append(f"{name}: removed")
        elif name not in before:
            found.append(f"{name}: created")
        elif before[name][:3] + before[name][4:] != after[name][:3] + after[name][4:]:
            found.append(f"{name}: written")
        elif before[name][0] == "file" and before[name][3] != access[name]:
            found.append(f"{name}: read")
    for name, entry in before.items():  # our own hashing read them: reset for the next check
        if entry[0] == "file" and name in after:
            os.utime(folder / name, ns=(int(str(entry[3])), (folder / name).stat().st_mtime_ns))
    return found


def reads_are_visible(folder: Path) -> bool:
    """Whether this file system records reads (not with `noatime`): checked on a scratch file."""
    probe = folder / ".atime-probe"
    probe.write_text("probe", encoding="utf-8")
    stat = probe.stat()
    os.utime(probe, ns=(stat.st_mtime_ns - HOUR_NS, stat.st_mtime_ns))
    probe.read_text(encoding="utf-8")
    visible = probe.stat().st_atime_ns != stat.st_mtime_ns - HOUR_NS
    probe.unlink()
    return visible


def _entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.name != FINGERPRINT)


if __name__ == "__main__":
    command, target = sys.argv[1], Path(sys.argv[2])
    if command == "create":
        create(target)
    else:
        problems = changes(target)
        for line in problems:
            print(f"The test suite touched the sentinel DATA_DIR {target}: {line}")
        raise SystemExit(1 if problems else 0)
