"""Documents keep their post's language; PostgreSQL stems each in it (decision 0109).

SQLite: adding a column rebuilds the table, which drops the FTS5 triggers: they are made again
and the FTS index rebuilt from the table. PostgreSQL: a configuration per Snowball language
(accents ignored, as the English one), and the weighted vector regenerated through a CASE on
the language. Rewriting the vector rewrites the table: on a large site this migration takes a
while (minutes per million documents).
"""

from typing import Any

from django.db import migrations, models

# A copy of search.dictionaries.SNOWBALL as it was when this migration was written.
SNOWBALL = {
    "ar": "arabic", "ca": "catalan", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "eu": "basque", "fi": "finnish", "fr": "french",
    "ga": "irish", "hi": "hindi", "hu": "hungarian", "hy": "armenian", "id": "indonesian",
    "it": "italian", "lt": "lithuanian", "nb": "norwegian", "ne": "nepali", "nl": "dutch",
    "nn": "norwegian", "no": "norwegian", "pt": "portuguese", "ro": "romanian",
    "ru": "russian", "sr": "serbian", "sv": "swedish", "ta": "tamil", "tr": "turkish",
    "yi": "yiddish",
}  # fmt: skip

SQLITE_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title, extra, body, kind)
        VALUES (new.id, new.title, new.extra, new.body, new.kind);
    END""",
    """CREATE TRIGGER IF NOT EXISTS search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, extra, body, kind)
        VALUES ('delete', old.id, old.title, old.extra, old.body, old.kind);
    END""",
    """CREATE TRIGGER IF NOT EXISTS search_fts_update AFTER UPDATE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, extra, body, kind)
        VALUES ('delete', old.id, old.title, old.extra, old.body, old.kind);
        INSERT INTO search_fts(rowid, title, extra, body, kind)
        VALUES (new.id, new.title, new.extra, new.body, new.kind);
    END""",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]


def _config(name: str) -> str:
    return "broadsheet_search" if name == "english" else f"broadsheet_{name}"


def _configurations() -> list[str]:
    """Each language's configuration: PostgreSQL's stemmer where this server has it, else
    words unstemmed (an older server lacks some), accents ignored either way."""
    statements = []
    for name in sorted({*SNOWBALL.values(), "simple"} - {"english"}):
        stemmer = "simple" if name == "simple" else f"{name}_stem"
        # Names from the constant table above, never from input.
        statements.append(
            f"""DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{_config(name)}') THEN
                IF EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{name}') THEN
                    CREATE TEXT SEARCH CONFIGURATION {_config(name)} (COPY = {name});
                    ALTER TEXT SEARCH CONFIGURATION {_config(name)}
                        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {stemmer};
                ELSE
                    CREATE TEXT SEARCH CONFIGURATION {_config(name)} (COPY = simple);
                    ALTER TEXT SEARCH CONFIGURATION {_config(name)}
                        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
                END IF;
            END IF;
        END $$"""  # noqa: S608
        )
    return statements


def _case() -> str:
    whens = " ".join(
        f"WHEN '{code}' THEN '{_config(name)}'::regconfig"
        for code, name in sorted(SNOWBALL.items())
    )
    return (
        f"CASE language WHEN '' THEN 'broadsheet_search'::regconfig {whens}"
        " ELSE 'broadsheet_simple'::regconfig END"
    )


def _vector(config: str) -> list[str]:
    return [
        "DROP INDEX IF EXISTS search_vector_all",
        "DROP INDEX IF EXISTS search_vector_posts",
        "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS vector",
        f"""ALTER TABLE search_searchdocument ADD COLUMN vector tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector({config}, title), 'A')
            || setweight(to_tsvector({config}, extra), 'B')
            || setweight(to_tsvector({config}, body), 'C')
        ) STORED""",
        """CREATE INDEX search_vector_posts ON search_searchdocument USING GIN (vector)
            WHERE comment_id IS NULL""",
        "CREATE INDEX search_vector_all ON search_searchdocument USING GIN (vector)",
    ]


def forwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    postgresql = [*_configurations(), *_vector(_case())]
    statements = SQLITE_TRIGGERS if vendor == "sqlite" else postgresql
    for statement in statements:
        schema_editor.execute(statement)
    # Documents take their post's language (every post has the site's until someone chose).
    Post = apps.get_model("publishing", "Post")
    Document = apps.get_model("search", "SearchDocument")
    for language in Post.objects.values_list("language", flat=True).distinct():
        code = language.replace("_", "-").split("-")[0].lower()[:12]
        Document.objects.filter(post__language=language).update(language=code)


def backwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    statements = SQLITE_TRIGGERS if vendor == "sqlite" else _vector("'broadsheet_search'")
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
        ("publishing", "0014_post_language"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="language",
            field=models.CharField(blank=True, default="", max_length=12),
        ),
        migrations.RunPython(forwards, backwards),
    ]
