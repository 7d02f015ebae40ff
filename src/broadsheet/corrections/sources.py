"""The sources a suggestion cites: web addresses, DOIs, and references of the essay itself.

A reader types them one per line (a DOI as `10.1234/abc`, `doi:10.…` or its doi.org address;
a reference of the essay as `@key`, the key it is cited by) or ticks the essay's references.
Each line is kept only if it is one of the three; the message names the first that is not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from broadsheet.core.webaddress import NotAWebAddress, web_address
from broadsheet.corrections.models import MAX_SOURCE, MAX_SOURCES

# Crossref's pattern for modern DOIs (the prefix 10.NNNN, a suffix without spaces).
_DOI = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)$", re.I)


class BadSource(ValueError):
    """`message` is shown next to the sources field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Source:
    kind: str  # "url", "doi" or "reference"
    value: str

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "value": self.value}


def _one(line: str, keys: set[str]) -> Source:
    if len(line) > MAX_SOURCE:
        raise BadSource(
            _("A source is at most %(max)d characters: “%(start)s…” is longer.")
            % {"max": MAX_SOURCE, "start": line[:40]}
        )
    if line.startswith("@"):
        if line[1:] not in keys:
            raise BadSource(_("“%(line)s” is not a reference of this essay.") % {"line": line})
        return Source("reference", line[1:])
    doi = _DOI.match(line)
    if doi:
        return Source("doi", doi.group(1))
    try:
        return Source("url", web_address(line, max_length=MAX_SOURCE))
    except NotAWebAddress as why:
        raise BadSource(
            _(
                "“%(line)s” is not a source we can follow (%(why)s): give a web address, "
                "a DOI (10.…) or one of the essay's references (@key)."
            )
            % {"line": line[:80], "why": why}
        ) from None


def parse_sources(text: str, ticked: Iterable[str], keys: set[str]) -> list[Source]:
    """The sources typed (one a line) and the essay's references ticked, without repeats.
    Raises BadSource for a line that is none of the three, or for none at all."""
    found: list[Source] = [Source("reference", key) for key in ticked if key in keys]
    for raw in text.splitlines():
        line = raw.strip()
        if line:
            found.append(_one(line, keys))
    unique = list(dict.fromkeys(found))
    if not unique:
        raise BadSource(
            _("Please give at least one source: a web address, a DOI or a reference of the essay.")
        )
    if len(unique) > MAX_SOURCES:
        raise BadSource(_("Please give at most %(max)d sources.") % {"max": MAX_SOURCES})
    return unique


def source_link(source: dict[str, str]) -> str:
    """Where a stored source can be read (for the studio): its address, or "" for a key."""
    if source.get("kind") == "url":
        return source.get("value", "")
    if source.get("kind") == "doi":
        return f"https://doi.org/{source.get('value', '')}"
    return ""
