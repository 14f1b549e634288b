from django.db import migrations

TABLE = "search_searchentry"
INDEX = "search_entry_vector_gin"


def postgresql_only(apps, schema_editor):
    """The GIN index on the vector, and a narrow table: the vector and the
    body's terms are kept out of line (TOAST), so that a search reading the
    rows a query matches reads only the short columns it needs. SQLite keeps
    no vector and searches the term columns."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE INDEX {INDEX} ON {TABLE} USING gin (vector)")
    schema_editor.execute(f"ALTER TABLE {TABLE} SET (toast_tuple_target = 128)")
    for column in ("title_terms", "lead_terms"):
        schema_editor.execute(
            f"ALTER TABLE {TABLE} ALTER COLUMN {column} SET STORAGE MAIN"
        )


def undo(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(f"ALTER TABLE {TABLE} RESET (toast_tuple_target)")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(postgresql_only, undo)]
