from typing import Any

import django.db.models.deletion
from django.db import migrations, models

# The full-text part of the index, one per database. Both are maintained by the database on
# every insert, update and delete of a search_searchdocument row, so the index cannot drift
# from the table whatever path wrote to it.
SQLITE = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title, extra, body, kind,
        content='search_searchdocument', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title, extra, body, kind)
        VALUES (new.id, new.title, new.extra, new.body, new.kind);
    END""",
    """CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, extra, body, kind)
        VALUES ('delete', old.id, old.title, old.extra, old.body, old.kind);
    END""",
    """CREATE TRIGGER search_fts_update AFTER UPDATE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, extra, body, kind)
        VALUES ('delete', old.id, old.title, old.extra, old.body, old.kind);
        INSERT INTO search_fts(rowid, title, extra, body, kind)
        VALUES (new.id, new.title, new.extra, new.body, new.kind);
    END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
]
POSTGRESQL = [
    # English stemming that also ignores accents ("cafe" finds "Cafés"), as FTS5's tokenizer
    # does. unaccent is a trusted extension: the database owner may create it.
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'broadsheet_search') THEN
            CREATE TEXT SEARCH CONFIGURATION broadsheet_search (COPY = english);
            ALTER TEXT SEARCH CONFIGURATION broadsheet_search
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
        END IF;
    END $$""",
    """ALTER TABLE search_searchdocument ADD COLUMN vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('broadsheet_search', title), 'A')
        || setweight(to_tsvector('broadsheet_search', extra), 'B')
        || setweight(to_tsvector('broadsheet_search', body), 'C')
    ) STORED""",
    # Searching posts and pages only is the common case: its own, smaller index.
    """CREATE INDEX search_vector_posts ON search_searchdocument USING GIN (vector)
        WHERE comment_id IS NULL""",
    "CREATE INDEX search_vector_all ON search_searchdocument USING GIN (vector)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS search_vector_all",
    "DROP INDEX IF EXISTS search_vector_posts",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS vector",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS broadsheet_search",
]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise RuntimeError(
                f"Full-text search supports SQLite and PostgreSQL; this database is {vendor}."
            )
        for statement in statements[vendor]:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("discussion", "0001_initial"),
        ("publishing", "0003_post_permissions"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("post", "Post"), ("page", "Page"), ("comment", "Comment")],
                        max_length=8,
                    ),
                ),
                ("heading", models.CharField(max_length=300)),
                ("byline", models.CharField(blank=True, max_length=300)),
                ("url", models.CharField(max_length=500)),
                ("date", models.DateTimeField()),
                ("visible_from", models.DateTimeField()),
                (
                    "comment",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="discussion.comment",
                    ),
                ),
                (
                    "post",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="publishing.post",
                    ),
                ),
                # The long text last: SQLite reads the short columns without its overflow pages.
                ("title", models.TextField(blank=True)),
                ("extra", models.TextField(blank=True)),
                ("body", models.TextField(blank=True)),
            ],
            options={
                "indexes": [models.Index(fields=["post", "kind"], name="search_document_post")],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("comment__isnull", True)),
                        fields=("post",),
                        name="search_one_per_post",
                    )
                ],
            },
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
    ]
