"""Writing many rows at once with PostgreSQL's COPY.

An INSERT of thousands of rows costs several times a COPY of the same rows
(Django's bulk_create binds every value as a parameter); imports and their
trail write rows by the hundred thousand.
"""

from collections.abc import Iterable

from django.db import connection


def copy_rows(table: str, columns: list[str], rows: Iterable[tuple]) -> None:
    """COPY the rows (tuples of values in the columns' order) into the table,
    inside the current transaction. PostgreSQL only."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    sql = f"COPY {quote(table)} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
