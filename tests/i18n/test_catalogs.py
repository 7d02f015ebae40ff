"""The translation catalogs are up to date with the source: extracting the strings afresh
(`make messages`, into a copy) finds exactly the msgids the committed catalogs hold, and the
compiled catalogs exist (`make` builds them on install)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

import broadsheet

PACKAGE = Path(broadsheet.__file__).resolve().parent
LOCALES = PACKAGE / "locale"
_ENTRY = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$')
_MORE = re.compile(r'^"(.*)"$')

pytestmark = pytest.mark.skipif(
    shutil.which("xgettext") is None or shutil.which("msgfmt") is None,
    reason="GNU gettext is installed by `make` (gettext-deps)",
)


def entries(po: Path) -> Iterator[dict[str, Any]]:
    """The live entries of a .po file (not its header, not obsolete `#~` ones), their strings
    as written (still escaped): `msgctxt`, `msgid`, `msgid_plural` when present, `msgstr` (a
    list, one per plural form) and whether the entry is `fuzzy`."""
    current: dict[str, Any] = {}
    field, fuzzy = "", False
    for line in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        match = _ENTRY.match(line)
        if match is not None:
            field, text = match.groups()
            if field == "msgctxt" or (field == "msgid" and "msgid" in current):
                yield from _live(current)  # a new entry without a blank line before it
                current = {}
            if not current:
                current, fuzzy = {"fuzzy": fuzzy, "msgstr": []}, False
            if field.startswith("msgstr"):
                current["msgstr"].append(text)
            else:
                current[field] = text
        elif (more := _MORE.match(line)) and field:
            if field.startswith("msgstr"):
                current["msgstr"][-1] += more.group(1)
            else:
                current[field] += more.group(1)
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif not line.strip():
            yield from _live(current)
            current, field = {}, ""


def _live(entry: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if entry.get("msgid"):
        yield entry


def msgids(po: Path) -> set[tuple[str, str, str]]:
    """(context, msgid, plural) of each live entry of a .po file."""
    return {_key(entry) for entry in entries(po)}


def _key(entry: dict[str, Any]) -> tuple[str, str, str]:
    return entry.get("msgctxt", ""), entry["msgid"], entry.get("msgid_plural", "")


@contextmanager
def working_in(path: Path) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def languages() -> list[str]:
    return sorted(p.name for p in LOCALES.iterdir() if (p / "LC_MESSAGES" / "django.po").exists())


def test_every_enabled_language_but_english_has_a_catalog() -> None:
    assert {code for code, _ in settings.LANGUAGES} - {"en"} <= set(languages())


def test_the_catalogs_hold_exactly_the_strings_of_the_source(tmp_path: Path) -> None:
    copy = tmp_path / "broadsheet"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    with working_in(copy):
        for domain in ("django", "djangojs"):
            call_command(
                "makemessages", locale=languages(), domain=domain, no_obsolete=True, verbosity=0
            )
    stale = []
    for language in languages():
        for domain in ("django", "djangojs"):
            fresh = copy / "locale" / language / "LC_MESSAGES" / f"{domain}.po"
            committed = LOCALES / language / "LC_MESSAGES" / f"{domain}.po"
            wanted = msgids(fresh) if fresh.exists() else set()
            held = msgids(committed) if committed.exists() else set()
            if wanted != held:
                missing = sorted(m for _, m, _ in wanted - held)[:5]
                unused = sorted(m for _, m, _ in held - wanted)[:5]
                stale.append(f"{language}/{domain}: missing {missing}, no longer used {unused}")
    assert not stale, "Run `make messages` and translate: " + "; ".join(stale)


def test_the_catalogs_are_compiled(tmp_path: Path) -> None:
    """Each .mo is what msgfmt makes of its .po now (`make` compiles them on install)."""
    for language in languages():
        po = LOCALES / language / "LC_MESSAGES" / "django.po"
        mo = po.with_suffix(".mo")
        assert mo.exists(), f"{mo} is missing: `make` compiles it (compilemessages)"
        fresh = tmp_path / f"{language}.mo"
        subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(po)], check=True)
        assert mo.read_bytes() == fresh.read_bytes(), f"{mo} is not {po} compiled: run `make`"


def test_the_parser_reads_contexts_plurals_and_continued_lines(tmp_path: Path) -> None:
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: de\\n"\n\n'
        'msgctxt "verb"\nmsgid "Reply"\nmsgstr "Antworten"\n\n'
        'msgid "%(n)s comment"\nmsgid_plural "%(n)s comments"\nmsgstr[0] ""\nmsgstr[1] ""\n\n'
        'msgid ""\n"A long "\n"string"\nmsgstr ""\n\n'
        '#~ msgid "Gone"\n#~ msgstr "Weg"\n',
        encoding="utf-8",
    )
    assert msgids(po) == {
        ("verb", "Reply", ""),
        ("", "%(n)s comment", "%(n)s comments"),
        ("", "A long string", ""),
    }


def _untranslated(po: Path) -> list[str]:
    """msgids of live entries with an empty translation (any plural form) or marked fuzzy."""
    return [
        entry["msgid"]
        for entry in entries(po)
        if entry["fuzzy"] or not entry["msgstr"] or not all(entry["msgstr"])
    ]


def test_every_catalog_is_translated_in_full() -> None:
    """German, Spanish and Arabic are complete: every string, every plural form, none fuzzy."""
    gaps = {}
    for language in languages():
        for domain in ("django", "djangojs"):
            po = LOCALES / language / "LC_MESSAGES" / f"{domain}.po"
            if not po.exists():
                continue
            # A fuzzy header is dropped by msgfmt, and its plural rule with it (Arabic's six).
            header = po.read_text(encoding="utf-8").split('msgid ""', 1)[0]
            if "fuzzy" in header:
                gaps[f"{language}/{domain} header"] = ["fuzzy"]
            if missing := _untranslated(po):
                gaps[f"{language}/{domain}"] = [*missing[:5], f"… {len(missing)} in all"]
    assert not gaps, gaps
