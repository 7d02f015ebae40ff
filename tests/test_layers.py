"""The apps' layer order (docs/architecture.md): a module imports its own layer or lower ones.

Where a lower layer needs a higher one, the higher one registers (core.effects.handles, each
app's effects.py and signals.py found by autodiscovery; the registries the apps fill in their
ready(), listed in docs/architecture.md). No import points up any more, and none may.
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


def _imports() -> set[tuple[str, str, bool]]:
    """(module, the app it imports from, whether that app is on a higher layer)."""
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
                if top == "broadsheet" and app in LAYERS:
                    found.add((module, app, LAYERS[app] > LAYERS[parts[0]]))
    return found


def _upward_imports() -> set[tuple[str, str]]:
    return {(module, app) for module, app, up in _imports() if up}


def test_the_scan_reads_the_imports() -> None:
    found = _imports()
    # Two that are there and point down, whichever way they are written (top-level, in a
    # function): the scan would otherwise pass by finding nothing at all.
    assert ("discussion.models", "publishing", False) in found
    assert ("discussion.apps", "publishing", False) in found


def test_no_import_points_up_the_layers() -> None:
    upward = _upward_imports()
    assert not upward, (
        f"{sorted(upward)} import a higher layer. Have the higher app register with the lower "
        "one instead (core.effects.handles for what a write makes stale; see "
        "docs/architecture.md)."
    )


def test_effects_and_signals_only_point_down() -> None:
    """The wiring of effects is the part that must never point up: it is why it exists."""
    wiring = {(m, t) for m, t in _upward_imports() if m.endswith((".effects", ".signals"))}
    assert not wiring
