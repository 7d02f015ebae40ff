"""What code this process runs, as one short digest: the page cache keys, ETags and
Last-Modified dates by it, so a page built by other code is never served (decision 0057).

The digest covers the installed `broadsheet` package — every source, template and static
file's path and contents — and the versions of Broadsheet and Django. Workers of one
deployment run the same files and so agree on it; an upgrade, a patched template or another
Django changes it. It is computed once, when the page cache is first imported (a few tens of
milliseconds), never per request.
"""

from __future__ import annotations

import functools
import hashlib
import os
from importlib import metadata
from pathlib import Path

import django

import broadsheet

PACKAGE_DIR = Path(broadsheet.__file__).resolve().parent


def files_digest(root: Path) -> str:
    """A digest of every file under `root` (relative path and contents), in a stable order.
    Compiled bytecode is left out: it follows the sources, and each machine writes its own."""
    digest = hashlib.sha256()
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if d != "__pycache__")
        for name in sorted(names):
            if name.endswith((".pyc", ".pyo")):
                continue
            path = Path(directory, name)
            digest.update(path.relative_to(root).as_posix().encode("utf-8", "surrogateescape"))
            digest.update(b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@functools.cache
def code_fingerprint() -> str:
    """This process's code: 16 hex digits, the same in every worker running the same files."""
    try:
        version = metadata.version("broadsheet")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        version = "source"
    mixed = f"{version}|{django.get_version()}|{files_digest(PACKAGE_DIR)}"
    return hashlib.sha256(mixed.encode()).hexdigest()[:16]
