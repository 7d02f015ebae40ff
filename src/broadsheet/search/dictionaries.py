"""Which PostgreSQL text-search configuration stems a document, by its post's language
(decision 0109). Each is a copy of PostgreSQL's Snowball configuration for the language with
accents ignored (unaccent), created by migration 0002; a language PostgreSQL has no stemmer
for is split into words without stemming (`broadsheet_simple`). SQLite's FTS5 has one
tokenizer for every language (Porter stemming of English words, diacritics removed).
"""

from __future__ import annotations

from django.conf import settings

# ISO 639-1 code → PostgreSQL's Snowball configuration. migrations/0002 holds a copy: the
# configurations and the indexed column were made from it (tests check the two agree).
SNOWBALL = {
    "ar": "arabic", "ca": "catalan", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "eu": "basque", "fi": "finnish", "fr": "french",
    "ga": "irish", "hi": "hindi", "hu": "hungarian", "hy": "armenian", "id": "indonesian",
    "it": "italian", "lt": "lithuanian", "nb": "norwegian", "ne": "nepali", "nl": "dutch",
    "nn": "norwegian", "no": "norwegian", "pt": "portuguese", "ro": "romanian",
    "ru": "russian", "sr": "serbian", "sv": "swedish", "ta": "tamil", "tr": "turkish",
    "yi": "yiddish",
}  # fmt: skip
ENGLISH = "broadsheet_search"  # the first configuration (migration 0001), kept for English
SIMPLE = "broadsheet_simple"


def primary(language: str) -> str:
    """The primary language subtag, as documents keep it: "de" for "de-AT"."""
    return language.replace("_", "-").split("-")[0].lower()[:12]


def configuration(language: str) -> str:
    """The configuration a document in this language is indexed with ("" is English: rows
    indexed before languages were kept)."""
    code = primary(language)
    name = SNOWBALL.get(code, "") if code else "english"
    if name == "english":
        return ENGLISH
    return f"broadsheet_{name}" if name else SIMPLE


def case_sql(column: str) -> str:
    """SQL choosing a document's configuration from its language column."""
    whens = " ".join(
        f"WHEN '{code}' THEN '{configuration(code)}'::regconfig" for code in sorted(SNOWBALL)
    )
    return (
        f"CASE {column} WHEN '' THEN '{ENGLISH}'::regconfig {whens} ELSE '{SIMPLE}'::regconfig END"
    )


def query_configurations() -> list[str]:
    """The configurations a query is stemmed with: those of the site's languages, English
    (older rows) and the unstemmed one (languages without a stemmer)."""
    wanted = [configuration(code) for code, _ in settings.LANGUAGES]
    return list(dict.fromkeys([ENGLISH, *wanted, SIMPLE]))
