"""What an import did, row by row, written as it goes.

The resource (programs.spreadsheets.SpreadsheetResource) reports every row it
created, changed, skipped or refused; the recorder keeps at most a chunk of
them in memory and writes them in one statement per chunk, inside the
import's transaction, so that a rolled-back import leaves no trace of rows
it did not write.
"""

import json
import logging
import time
from collections.abc import Callable

from django.utils import timezone

from imports.models import ImportBatch, ImportRow
from portal.bulk import copy_rows

logger = logging.getLogger(__name__)

# Messages kept on the batch itself for the progress page; every message of
# a finished import is on its rows.
MAX_BATCH_MESSAGES = 200


class BatchRecorder:
    chunk_size = 1000

    def __init__(self, batch: ImportBatch):
        self.batch = batch
        self.pending: list[tuple[dict, object]] = []
        # The fast path flushes after each chunk of items is saved.
        self.autoflush = True

    def add(
        self,
        *,
        line: int,
        action: str,
        obj=None,
        before: dict | None = None,
        after: dict | None = None,
        messages: list[str] | None = None,
    ) -> None:
        # A dict, not an ImportRow: a model instance per row costs more than
        # the row's COPY.
        row = {
            "batch_id": self.batch.pk,
            "line": line,
            "action": action,
            "object_id": None,
            "object_repr": str(obj)[:200] if obj is not None else "",
            "before": before,
            "after": after,
            "version_after": None,
            "messages": messages or None,
            "undo": ImportRow.Undo.NONE,
            "undo_note": "",
        }
        # The item's id is read when the row is written: the fast path
        # (imports.fast) saves a chunk of items after recording them.
        self.pending.append((row, obj))
        if self.autoflush and len(self.pending) >= self.chunk_size:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        rows = []
        for row, obj in self.pending:
            if obj is not None:
                row["object_id"] = obj.pk
                row["version_after"] = getattr(obj, "lock_version", None)
            rows.append(row)
        self.pending = []
        write_rows(rows)


def write_rows(rows: list[dict]) -> None:
    """Insert row records: with COPY on PostgreSQL (a tenth of the time of
    an INSERT of many rows), else in batches."""
    from django.db import connection

    if connection.vendor != "postgresql":
        ImportRow.objects.bulk_create(
            (ImportRow(**row) for row in rows), batch_size=500
        )
        return
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    json_columns = {"before", "after", "messages"}
    columns = list(rows[0]) if rows else []
    copy_rows(
        ImportRow._meta.db_table,
        columns,
        (
            tuple(
                dumps(row[c]) if c in json_columns and row[c] is not None else row[c]
                for c in columns
            )
            for row in rows
        ),
    )


class Progress:
    """Reports how far an import got: on the batch (the admin's progress
    page reads it) and to an optional callback (the command line's bar).

    While an all-or-nothing import runs, its transaction hides everything it
    writes, the batch's progress included; on PostgreSQL the progress is
    therefore written through a connection of its own, which commits at once.
    """

    # At most every 500 rows and every half second: the side connection's
    # write is a round trip, and a large file passes 500 rows in 30 ms.
    every = 500
    seconds = 0.5

    def __init__(
        self,
        batch: ImportBatch | None,
        callback: Callable[[int, int, int], None] | None = None,
    ):
        self.batch, self.callback = batch, callback
        self.side = None
        self.last = 0
        self.written = float("-inf")

    def __call__(self, done: int, total: int, errors: int, force=False) -> None:
        if not force and done != total:
            if done - self.last < self.every:
                return
            if time.monotonic() - self.written < self.seconds:
                return
        self.last, self.written = done, time.monotonic()
        if self.callback is not None:
            self.callback(done, total, errors)
        if self.batch is None or self.batch.pk is None:
            return
        self.write(done, total, errors)

    def write(self, done: int, total: int, errors: int) -> None:
        from django.db import connection

        values = {
            "rows_done": done,
            "total_rows": total,
            "invalid_count": errors,
            "heartbeat_at": timezone.now(),
        }
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            self.write_aside(values)
        else:
            ImportBatch.objects.filter(pk=self.batch.pk).update(**values)

    def write_aside(self, values: dict) -> None:
        from django.db import DatabaseError, connections

        if self.side is None:
            self.side = connections.create_connection("default")
            self.side.set_autocommit(True)
            with self.side.cursor() as cursor:
                # Never wait on a lock the import's own transaction holds.
                cursor.execute("SET lock_timeout = '2s'")
        table = ImportBatch._meta.db_table
        columns = ", ".join(f"{name} = %s" for name in values)
        try:
            with self.side.cursor() as cursor:
                cursor.execute(
                    # Names from the model; every value is a parameter.
                    f"UPDATE {table} SET {columns} WHERE id = %s",  # nosec B608
                    [*values.values(), self.batch.pk],
                )
        except DatabaseError:
            # Progress is a courtesy; the import goes on without it.
            logger.warning("Could not report the progress of batch %s", self.batch.pk)

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None
