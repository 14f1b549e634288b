"""Writing many rows at once with PostgreSQL's COPY.

An INSERT of thousands of rows costs several times a COPY of the same rows
(Django's bulk_create binds every value as a parameter); imports and their
trail write rows by the hundred thousand.
"""

from collections.abc import Iterable

from django.db import connection
from django.db.models import NOT_PROVIDED
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init


def copy_rows(table: str, columns: list[str], rows: Iterable[tuple]) -> None:
    """COPY the rows (tuples of values in the columns' order) into the table,
    inside the current transaction. PostgreSQL only."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    sql = f"COPY {quote(table)} ({names}) FROM STDIN"
    # psycopg's own cursor, under Django's error translation: a lost
    # connection is Django's OperationalError, as for any other query.
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(sql) as copy,
    ):
        for row in rows:
            copy.write_row(row)


class Instances:
    """Model instances made without Model.__init__, for code that makes them
    by the hundred thousand: __init__ works out every field's default and
    sends two signals per instance, which costs more than the row's COPY.

    Only for models no pre_init or post_init receiver listens to (an
    ImageField's does): for the others, the usual constructor."""

    def __init__(self, model):
        self.model = model
        fields = model._meta.concrete_fields
        self.plain = not (
            pre_init.has_listeners(model) or post_init.has_listeners(model)
        ) and all(f.db_default is NOT_PROVIDED for f in fields)
        # Callable defaults (a date, a list) are made afresh for each instance.
        self.volatile = [
            (f.attname, f.get_default)
            for f in fields
            if f.has_default() and callable(f.default)
        ]
        self.defaults = {
            f.attname: f.get_default()
            for f in fields
            if not (f.has_default() and callable(f.default))
        }
        self.attnames = [f.attname for f in fields]

    def new(self):
        """As model() makes it: every field at its default, not yet saved."""
        if not self.plain:
            return self.model()
        obj = self.model.__new__(self.model)
        obj._state = ModelState()
        values = obj.__dict__
        values.update(self.defaults)
        for name, default in self.volatile:
            values[name] = default()
        return obj

    def stored(self, values: tuple, db: str = "default"):
        """As the database gives it: values in concrete_fields' order."""
        if not self.plain:
            return self.model.from_db(db, self.attnames, values)
        obj = self.model.__new__(self.model)
        obj._state = ModelState()
        obj._state.adding, obj._state.db = False, db
        obj.__dict__.update(zip(self.attnames, values, strict=True))
        return obj
