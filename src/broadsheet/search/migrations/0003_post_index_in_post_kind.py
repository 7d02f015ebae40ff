"""The post's own index goes: search_document_post (post, kind) starts with the same column.

Written as SQL rather than Django's AlterField, which on SQLite copies the table into a new one
and so would drop the full-text triggers that 0001 put on it."""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "search_searchdocument_post_id_873b58b0"  # Django's name for it, on both databases


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0016_reference_field_names"),
        ("search", "0002_document_language"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="searchdocument",
                    name="post",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="publishing.post",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    f'CREATE INDEX "{INDEX}" ON "search_searchdocument" ("post_id")',
                ),
            ],
        ),
    ]
