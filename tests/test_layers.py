"""The apps' layer order (docs/architecture.md): a module imports its own layer or lower ones.

Where a lower layer needs a higher one, the higher one registers (core.effects.handles, each
app's effects.py and signals.py found by autodiscovery). The imports that still point up are
listed below, each to be removed; the list may only shrink.
"""

from __future__ import annotations

import ast
from pathlib import Path

import broadsheet

LAYERS = {
    "core": 0,
    "accounts": 1,
    "media": 2,
    "publishing": 3,
    "discussion": 4,
    "moderation": 5,
    "notifications": 5,
    "feeds": 5,
    "search": 5,
    "importers": 5,
    "corrections": 5,
    "notes": 5,
    "webmention": 5,
    "federation": 5,
    "studio": 6,
    "api": 6,
    "embed": 6,
    "operations": 6,
}

# (module, the higher app it imports): older code, to be turned into registrations.
KNOWN_UPWARD = {
    ("publishing.views", "discussion"),
}


def _upward_imports() -> set[tuple[str, str]]:
    root = Path(broadsheet.__file__).parent
    found = set()
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[0] not in LAYERS or "migrations" in parts:
            continue
        module = ".".join(parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                top, app = [*name.split("."), ""][:2]
                if top == "broadsheet" and LAYERS.get(app, -1) > LAYERS[parts[0]]:
                    found.add((module, app))
    return found


def test_no_new_import_points_up_the_layers() -> None:
    new = _upward_imports() - KNOWN_UPWARD
    assert not new, (
        f"{sorted(new)} import a higher layer. Have the higher app register with the lower "
        "one instead (core.effects.handles for what a write makes stale; see "
        "docs/architecture.md)."
    )


def test_the_list_of_known_exceptions_only_shrinks() -> None:
    gone = KNOWN_UPWARD - _upward_imports()
    assert not gone, f"{sorted(gone)} no longer point up: remove them from KNOWN_UPWARD."


def test_effects_and_signals_only_point_down() -> None:
    """The wiring of effects is the part that must never point up: it is why it exists."""
    wiring = {(m, t) for m, t in _upward_imports() if m.endswith((".effects", ".signals"))}
    assert not wiring
