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

import pytest
from django.conf import settings
from django.core.management import call_command

import broadsheet

PACKAGE = Path(broadsheet.__file__).resolve().parent
LOCALES = PACKAGE / "locale"
_ENTRY = re.compile(r'^(msgctxt|msgid|msgid_plural) "(.*)"$')
_MORE = re.compile(r'^"(.*)"$')

pytestmark = pytest.mark.skipif(
    shutil.which("xgettext") is None or shutil.which("msgfmt") is None,
    reason="GNU gettext is installed by `make` (gettext-deps)",
)


def msgids(po: Path) -> set[tuple[str, str, str]]:
    """(context, msgid, plural) of each live entry of a .po file; obsolete (#~) ones ignored."""
    found: set[tuple[str, str, str]] = set()
    current: dict[str, str] = {}
    field = ""
    for line in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        if match := _ENTRY.match(line):
            if match.group(1) in ("msgctxt",) or (match.group(1) == "msgid" and "msgid" in current):
                if "msgid" in current:
                    found.add(_key(current))
                current = {}
            field = match.group(1)
            current[field] = match.group(2)
        elif (match := _MORE.match(line)) and field:
            current[field] += match.group(1)
        elif line.startswith("msgstr"):
            field = ""
        elif not line.strip() and "msgid" in current:
            found.add(_key(current))
            current, field = {}, ""
    found.discard(("", "", ""))  # the header
    return found


def _key(entry: dict[str, str]) -> tuple[str, str, str]:
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
    missing: list[str] = []
    entry: dict[str, list[str]] = {}
    fuzzy = False
    lines = [*po.read_text(encoding="utf-8").splitlines(), ""]
    field = ""
    for line in lines:
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif match := re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line):
            field = match.group(1)
            entry.setdefault(field, []).append(match.group(2))
        elif (match := _MORE.match(line)) and field:
            entry[field].append(match.group(1))
        elif not line.strip():
            msgid = "".join(entry.get("msgid", []))
            strings = ["".join(v) for k, v in entry.items() if k.startswith("msgstr")]
            if msgid and (fuzzy or not strings or not all(strings)):
                missing.append(msgid)
            entry, fuzzy, field = {}, False, ""
    return missing


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
