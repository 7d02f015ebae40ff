"""A top-level comment is its own thread: the database sets its `thread_id` to its own id as
the row is written, instead of a second statement from the application (decision 0134)."""

from typing import Any

from django.db import migrations

SQLITE = [
    # SQLite cannot change NEW before the row is written: the row is updated right after, in
    # the same statement's work.
    """CREATE TRIGGER comment_starts_thread AFTER INSERT ON discussion_comment
    WHEN NEW.thread_id IS NULL AND NEW.parent_id IS NULL BEGIN
        UPDATE discussion_comment SET thread_id = NEW.id WHERE id = NEW.id;
    END""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS comment_starts_thread"]
POSTGRESQL = [
    # The id is drawn from its sequence before BEFORE triggers run.
    """CREATE FUNCTION comment_starts_thread() RETURNS trigger AS $$
    BEGIN
        IF NEW.thread_id IS NULL AND NEW.parent_id IS NULL THEN
            NEW.thread_id := NEW.id;
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER comment_starts_thread BEFORE INSERT ON discussion_comment
    FOR EACH ROW EXECUTE FUNCTION comment_starts_thread()""",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS comment_starts_thread ON discussion_comment",
    "DROP FUNCTION IF EXISTS comment_starts_thread()",
]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise RuntimeError(f"Broadsheet supports SQLite and PostgreSQL; this is {vendor}.")
        for statement in statements[vendor]:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("discussion", "0011_comment_edits_likes_pins")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
    ]
