"""CSL-JSON (a list of items, or one item) ↔ Reference fields, through publishing/csl_json.py."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from broadsheet.publishing.bibformats.common import ReadEntry, checked
from broadsheet.publishing.csl_json import TEXT_VARIABLES, reference_fields, reference_to_csl

if TYPE_CHECKING:
    from broadsheet.publishing.models import Reference


def read_csl_json(text: str) -> tuple[list[ReadEntry], list[str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return [], [f"line {error.lineno}: this is not valid JSON ({error.msg.lower()})."]
    except RecursionError:
        return [], ["line 1: this JSON is nested too deeply to be CSL-JSON."]
    items = data if isinstance(data, list) else [data]
    lines = _item_lines(text)
    entries: list[ReadEntry] = []
    problems: list[str] = []
    for index, item in enumerate(items):
        line = lines[index] if index < len(lines) else 1
        label = f"item {index + 1}" + (
            f" ({item.get('id')})" if isinstance(item, dict) and item.get("id") else ""
        )
        if not isinstance(item, dict):
            problems.append(
                f'line {line}: {label} is not a CSL-JSON object ({{"type": …, "title": …}}).'
            )
            continue
        values, not_text = _text_values(item)
        fields, unknown = reference_fields(values)
        unknown += not_text
        refused, notes = checked(fields, line=line, label=label)
        if refused:
            problems += refused
        else:
            entries.append(ReadEntry(fields, line, label, tuple(unknown), tuple(notes)))
    return entries, problems


def _text_values(item: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Numbers are fine where CSL has text (a volume of 12); a list or object there is not
    text, and is reported instead of being stored as its Python spelling."""
    text_variables = set(TEXT_VARIABLES.values())
    kept = {
        name: value
        for name, value in item.items()
        if name not in text_variables or isinstance(value, (str, int, float))
    }
    return kept, [f"{name} (not text)" for name in item if name not in kept]


def _item_lines(text: str) -> list[int]:
    """The line each top-level item starts on (brackets inside strings are skipped)."""
    lines: list[int] = []
    item_depth = 1 if text.lstrip().startswith("[") else 0
    depth, line, in_string, escaped, expecting = 0, 1, False, False, item_depth == 0
    for char in text:
        if char == "\n":
            line += 1
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if expecting and not char.isspace():
            lines.append(line)
            expecting = False
        if char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            expecting = expecting or (depth == item_depth == 1 and char == "[")
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == item_depth:
            expecting = True
    return lines


def to_csl_json(references: Iterable[Reference]) -> str:
    return (
        json.dumps([reference_to_csl(ref) for ref in references], ensure_ascii=False, indent=2)
        + "\n"
    )
