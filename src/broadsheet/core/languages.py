"""Languages: which ones the site speaks, which way a script runs, and what a post's language
tag may be. Pure functions over settings and Django's table of languages (no queries).

A post's language is a BCP 47 tag ("en", "de-AT", "zh-Hant", "ar"): a primary language of two
or three letters, then subtags of up to eight letters or digits. Django's LANG_INFO knows the
name and direction of the common ones; a tag it does not know is still allowed (a scholar may
write in Old Norse) and runs left to right unless its script or language says otherwise.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
MAX_TAG_CHARS = 35
# Right-to-left languages and scripts Django's table may not list (it does list ar, fa, he, ur …).
_RTL_LANGUAGES = {"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ps", "sd", "ug", "ur", "yi"}
_RTL_SCRIPTS = {"arab", "hebr", "syrc", "thaa", "nkoo", "adlm", "rohg", "mand", "samr"}


def normalize_tag(tag: str) -> str:
    """The conventional casing of a tag: language lower, script title, region upper."""
    parts = tag.strip().replace("_", "-").split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def validate_language_tag(value: str) -> None:
    """Model/form validator: a well-formed BCP 47 tag (not checked against a registry)."""
    if len(value) > MAX_TAG_CHARS or not _TAG.match(value.replace("_", "-")):
        raise ValidationError(
            _("Enter a language tag such as en, de, es-MX or ar."), code="invalid_language"
        )


def is_rtl(tag: str) -> bool:
    """Whether text in this language is written right to left."""
    parts = tag.lower().replace("_", "-").split("-")
    scripts = [p for p in parts[1:] if len(p) == 4 and p.isalpha()]
    if scripts:
        return scripts[0] in _RTL_SCRIPTS
    info = LANG_INFO.get(parts[0], {})
    return parts[0] in _RTL_LANGUAGES or bool(info.get("bidi"))


def direction(tag: str) -> str:
    """The HTML dir value for this language: "rtl" or "ltr"."""
    return "rtl" if is_rtl(tag) else "ltr"


def site_language() -> str:
    """The site's language as an HTML lang tag (LANGUAGE_CODE, e.g. "en" or "pt-BR")."""
    return normalize_tag(settings.LANGUAGE_CODE)


def interface_language(tag: str) -> str:
    """The enabled interface language (LANGUAGES) that speaks `tag` ("de-AT" → "de"), else
    the site's: what an essay's own generated words (footnote back-links) are written in."""
    enabled = {code.lower(): code for code, _ in settings.LANGUAGES}
    lowered = tag.replace("_", "-").lower()
    for candidate in (lowered, lowered.split("-")[0]):
        if candidate in enabled:
            return enabled[candidate]
    return str(settings.LANGUAGE_CODE)


def language_name(tag: str) -> str:
    """A language Django knows named in itself ("Deutsch", "العربية"), else the tag itself:
    a writer or reader finds theirs whatever language the page is in."""
    lowered = tag.lower()
    info = LANG_INFO.get(lowered) or LANG_INFO.get(lowered.split("-")[0]) or {}
    return str(info.get("name_local") or info.get("name") or tag)


def language_choices() -> list[tuple[str, str]]:
    """The site's enabled languages first (LANGUAGES), for a chooser; any tag is accepted."""
    return [
        (normalize_tag(code), language_name(code) if language_name(code) != code else str(name))
        for code, name in settings.LANGUAGES
    ]


def same_language(tag: str, other: str) -> bool:
    """Whether two tags name the same language variety ("pt-BR" and "pt_br" do)."""
    return tag.replace("_", "-").lower() == other.replace("_", "-").lower()
