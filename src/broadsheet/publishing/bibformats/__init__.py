"""References read from BibTeX, RIS and CSL-JSON, and written back to each.

`read_references(text)` recognises the format, reads every entry into the fields of a
`Reference` (through the CSL-JSON mapping in publishing/csl_json.py), and says for each entry
what the source had that a Reference does not keep; entries that cannot be read are reported
as problems with their line, never raised. Values stay text: nothing pasted is ever run or
rendered as markup here. `to_bibtex`, `to_ris` and `to_csl_json` write references out, and
reading what they write gives the same fields back.
"""

from __future__ import annotations

import re

from broadsheet.publishing.bibformats.bibtex import read_bibtex, to_bibtex
from broadsheet.publishing.bibformats.common import MAX_CHARS, ReadEntry, ReadResult
from broadsheet.publishing.bibformats.csljson import read_csl_json, to_csl_json
from broadsheet.publishing.bibformats.ris import read_ris, to_ris

__all__ = [
    "MAX_CHARS",
    "ReadEntry",
    "ReadResult",
    "detect_format",
    "read_references",
    "to_bibtex",
    "to_csl_json",
    "to_ris",
]

_BIBTEX = re.compile(r"@\s*[A-Za-z]+\s*[{(]")
_RIS = re.compile(r"^TY  -", re.M)
_READERS = {"BibTeX": read_bibtex, "RIS": read_ris, "CSL-JSON": read_csl_json}


def detect_format(text: str) -> str:
    """'BibTeX', 'RIS', 'CSL-JSON', or '' when the text looks like none of them."""
    start = text.lstrip("\ufeff \t\r\n")
    if start[:1] in ("[", "{"):
        return "CSL-JSON"
    if _RIS.search(text):
        return "RIS"
    if _BIBTEX.search(text):
        return "BibTeX"
    return ""


def read_references(text: str) -> ReadResult:
    """The entries of pasted or uploaded BibTeX, RIS or CSL-JSON, each as Reference fields."""
    if len(text) > MAX_CHARS:
        return ReadResult(
            "",
            problems=(
                f"line 1: this is {len(text) / 1_000_000:.1f} MB of text; at most "
                f"{MAX_CHARS // 1000:,} KB of references are read at once. Split the file "
                "and add it in parts.",
            ),
        )
    text = text.lstrip("\ufeff")
    kind = detect_format(text)
    if not kind:
        return ReadResult(
            "",
            problems=(
                "line 1: this is not BibTeX (@book{key, …}), RIS (TY  - BOOK …) or CSL-JSON "
                '([{"type": "book", …}]); paste references in one of those formats.',
            ),
        )
    entries, problems = _READERS[kind](text)
    if not entries and not problems:
        problems.append(f"line 1: this {kind} text has no entries.")
    return ReadResult(kind, tuple(entries), tuple(problems))
