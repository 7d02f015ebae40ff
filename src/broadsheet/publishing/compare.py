"""Two revisions side by side: title, excerpt, body and references, word by word."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import pgettext

from broadsheet.core.worddiff import Diff, diff_text
from broadsheet.publishing.models import Revision

# The CSL-JSON variables a reference line shows, in this order (the rest follow, sorted).
_FIRST = ("author", "editor", "translator", "issued", "title", "container-title", "publisher")


@dataclass(frozen=True)
class Comparison:
    old: Revision
    new: Revision
    title: Diff
    excerpt: Diff
    body: Diff
    references: Diff

    @property
    def parts(self) -> list[tuple[str, Diff]]:
        """The parts that changed, named, in the page's order."""
        named = [
            (pgettext("a part of an essay", "Title"), self.title),
            (pgettext("a part of an essay", "Excerpt"), self.excerpt),
            (pgettext("a part of an essay", "Text"), self.body),
            (pgettext("a part of an essay", "References"), self.references),
        ]
        return [(name, diff) for name, diff in named if diff.changed]

    @property
    def added(self) -> int:
        return sum(diff.added for _, diff in self.parts)

    @property
    def removed(self) -> int:
        return sum(diff.removed for _, diff in self.parts)


def revisions_compare(old: Revision, new: Revision, *, context: int = 1) -> Comparison:
    """What changed from `old` to `new` (either may be the older one), as escaped HTML rows."""
    return Comparison(
        old=old,
        new=new,
        title=diff_text(old.title, new.title, context=context),
        excerpt=diff_text(old.excerpt, new.excerpt, context=context),
        body=diff_text(old.body, new.body, context=context),
        # One line per reference: a changed field shows word by word on its line.
        references=diff_text(
            references_text(old.references), references_text(new.references), context=context
        ),
    )


def references_text(items: list[dict[str, Any]]) -> str:
    return "".join(f"{reference_line(item)}\n" for item in items if isinstance(item, dict))


def reference_line(item: dict[str, Any]) -> str:
    """A CSL-JSON item as one line of text: `[key] author: Marsh, Ada · title: …`."""
    fields = [name for name in _FIRST if name in item]
    fields += sorted(name for name in item if name not in (*_FIRST, "id"))
    shown = " · ".join(f"{name}: {_value(item[name])}" for name in fields)
    return " ".join(f"[{item.get('id', '')}] {shown}".split())


def _value(value: Any) -> str:
    if isinstance(value, list):  # names
        return " and ".join(_name(entry) for entry in value)
    if isinstance(value, dict):  # dates
        parts = value.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list):
            return "-".join(str(p) for p in parts[0])
        return str(value.get("literal") or value.get("raw") or "")
    return str(value)


def _name(entry: Any) -> str:
    if not isinstance(entry, dict):
        return str(entry)
    if entry.get("literal"):
        return str(entry["literal"])
    return ", ".join(str(entry[k]) for k in ("family", "given") if entry.get(k))
