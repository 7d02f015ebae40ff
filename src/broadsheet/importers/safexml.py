"""Reading untrusted export files: the first bytes are checked before any parser sees them,
and the parser never loads a DTD, expands an entity or touches the network."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lxml import etree

from broadsheet.importers.progress import ImportProblem

PROLOGUE_BYTES = 64 * 1024
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)


def read_prologue(path: Path, *, expected: str) -> bytes:
    """The file's first bytes; an empty file is refused, naming what was `expected`."""
    with path.open("rb") as raw:
        head = raw.read(PROLOGUE_BYTES)
    if not head.strip():
        raise ImportProblem(f"the file is empty; expected {expected}.")
    return head


def refuse_declarations(head: bytes, *, root: bytes, source: str, advice: str) -> None:
    """A DOCTYPE or ENTITY before the root element (`root`, e.g. b"<rss") is how entity bombs
    and external entities get in; exports never have one."""
    if _DECLARATION.search(head.split(root, 1)[0]):
        raise ImportProblem(
            f"line 1: the file declares a DOCTYPE or entities, which {source} never does; it "
            f"was refused so that no entity can be expanded. {advice}"
        )


def iterparse(source: Any) -> Any:
    """Start and end events over `source`, with nothing fetched, loaded or expanded."""
    return etree.iterparse(
        source,
        events=("start", "end"),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
