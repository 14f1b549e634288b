"""The fast path for large files of lines: figures and assistance.

django-import-export handles a file row by row: one query to find the row's
existing item, one per foreign key (the same program, 100,000 times), a
savepoint and a save per row, a diff and a model instance kept for every row,
and several copies of the file in memory (the bytes, the text, a list of
rows, a Dataset). This path keeps the resource's own rules (its columns and
widgets, its Chinese messages naming row and column, its plausibility
warnings, its duplicate check, the trail of versions and audit entries) and
changes how the work is done:

- rows stream from the file (imports.readers) a chunk at a time;
- each foreign key value is looked up once per import (LookupWidget.memo);
- an item's existing lines are read once, in one query, when the first row
  naming it comes (FastLoader), so a row's existing line is a dict lookup;
- a row is checked field by field (Model.clean_fields) without the queries
  full_clean makes for foreign keys and unique constraints (the lookups and
  the duplicate check have already decided those);
- the chunk's new lines are written with COPY on PostgreSQL (bulk_create
  elsewhere), changed lines with one bulk update, row records with COPY;
- only the first rows (for the preview's table) and the bad rows keep a
  RowResult; the others are only counted.

The models it writes have no save() of their own, so nothing is skipped by
not calling it; the search index hears about the programs and stories
touched once, after the import commits (imports.hooks).
"""

from copy import deepcopy

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.transaction import set_rollback
from import_export.resources import Diff
from import_export.results import Result, RowResult

from imports import hooks
from imports.snapshots import snapshot
from portal.bulk import copy_rows
from programs.spreadsheets import LookupWidget, SpreadsheetError

CHUNK_SIZE = 2000
# Valid rows that keep their RowResult (and diff) for the preview's table.
PREVIEW_ROWS = 200
# Warnings and dropped-row messages kept on the result; the rest are counted.
MAX_MESSAGES = 10_000


def fast_enabled(resource) -> bool:
    """Whether a resource's model can be written without its save()."""
    model = resource._meta.model
    return (
        getattr(resource, "fast_path", False)
        and model.save is models.Model.save
        and not model._meta.many_to_many
        and not any(
            getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            for f in model._meta.concrete_fields
        )
    )


class FastLoader:
    """A row's existing line, found among its parent's lines, which are read
    in one query the first time the parent comes up."""

    def __init__(self, resource):
        self.resource = resource
        self.model = resource._meta.model
        self.id_fields = [resource.fields[f] for f in resource.get_import_id_fields()]
        self.parent = next(
            f
            for f in self.id_fields
            if f.attribute and self.model._meta.get_field(f.attribute).many_to_one
        )
        self.parent_attname = self.model._meta.get_field(self.parent.attribute).attname
        self.attnames = [
            f.attname for f in self.model._meta.concrete_fields if not f.primary_key
        ]
        self.lines: dict[int, dict[tuple, list[tuple]]] = {}

    def key_of(self, values: list) -> tuple:
        return tuple(v.pk if isinstance(v, models.Model) else v for v in values)

    def lines_of(self, parent_pk: int) -> dict[tuple, list[tuple]]:
        if parent_pk not in self.lines:
            found: dict[tuple, list[tuple]] = {}
            names = [
                self.model._meta.get_field(f.attribute).attname for f in self.id_fields
            ]
            rows = self.model._default_manager.filter(
                **{self.parent_attname: parent_pk}
            ).values_list("pk", *self.attnames)
            for pk, *values in rows:
                record = dict(zip(self.attnames, values, strict=True))
                key = tuple(record[name] for name in names)
                found.setdefault(key, []).append((pk, values))
            self.lines[parent_pk] = found
        return self.lines[parent_pk]

    def get_instance(self, row):
        values = [f.clean(row) for f in self.id_fields]
        parent = values[self.id_fields.index(self.parent)]
        if parent is None:
            return None
        hits = self.lines_of(parent.pk).get(self.key_of(values))
        if not hits:
            return None
        if len(hits) > 1:
            raise self.model.MultipleObjectsReturned
        pk, stored = hits[0]
        if pk is None:
            raise ValidationError(
                {self.resource.key_columns[0]: "与前面的一行重复（标识相同）"}
            )
        values = dict(zip(self.attnames, stored, strict=True))
        values[self.model._meta.pk.attname] = pk
        names = [f.attname for f in self.model._meta.concrete_fields]
        return self.model.from_db(
            connection.alias, names, [values[name] for name in names]
        )

    def remember(self, instance) -> None:
        """A line this import wrote: a later row of the file with its key finds
        it (and is refused as a duplicate before that)."""
        key = self.key_of(
            [
                getattr(instance, self.model._meta.get_field(f.attribute).attname)
                for f in self.id_fields
            ]
        )
        parent_pk = getattr(instance, self.parent_attname)
        stored = [getattr(instance, name) for name in self.attnames]
        self.lines_of(parent_pk)[key] = [(instance.pk, stored)]


class FastImport:
    """One import of a stream of rows through a resource's rules; returns
    django-import-export's Result, as the admin and the command line read it."""

    def __init__(self, resource, *, dry_run: bool, file_name: str = "", user=None):
        self.resource = resource
        self.model = resource._meta.model
        self.dry_run = dry_run
        resource.dry_run = dry_run
        resource.file_name = file_name
        resource.user = user or resource.user
        resource.touched = {}
        resource.error_rows = 0
        resource.track_changes = True
        resource.line_numbers = []
        self.loader = FastLoader(resource)
        self.new: list = []
        self.changed: list = []
        self.number = 0
        self.kept_valid = 0
        self.warnings: list[str] = []
        self.dropped: list[str] = []
        self.trail: dict[tuple, object] = {}
        # Fields read from the database by lookups, or set by the database.
        self.unvalidated = set(resource.unvalidated)
        for f in resource.get_import_fields():
            if isinstance(f.widget, LookupWidget) and f.attribute:
                self.unvalidated.add(f.attribute)
        for f in resource.fields.values():
            if isinstance(f.widget, LookupWidget):
                f.widget.memo = {}

    def run(self, headers, rows, total: int | None = None) -> Result:
        resource = self.resource
        result = Result()
        result.diff_headers = resource.get_diff_headers()
        try:
            headers = resource.start_stream(headers)
        except Exception as exc:
            resource.handle_import_error(result, exc)
            result.dropped, result.warnings = [], []
            return result
        resource.total_rows = total or 0
        with transaction.atomic():
            chunk = []
            for line, values in rows:
                chunk.append((line, dict(zip(headers, values, strict=False))))
                if len(chunk) >= CHUNK_SIZE:
                    self.process(chunk, result)
                    chunk = []
            self.process(chunk, result)
            result.total_rows = self.number
            if not self.number and not result.base_errors:
                resource.handle_import_error(
                    result, SpreadsheetError("文件里没有数据行。")
                )
            blocked = result.has_errors() or (
                result.has_validation_errors() and not resource.only_valid
            )
            if resource.recorder is not None and not self.dry_run:
                resource.recorder.flush()
            result.dropped, result.warnings = self.dropped, self.warnings
            if self.dry_run or blocked:
                set_rollback(True)
            else:
                resource.leave_trail(result)
                self.tell_others()
        if resource.progress is not None:
            resource.progress(self.number, self.number, resource.error_rows, force=True)
        return result

    # Rows ---------------------------------------------------------------

    def process(self, chunk, result) -> None:
        resource = self.resource
        if resource.recorder is not None:
            resource.recorder.autoflush = False
        if resource.total_rows < self.number + len(chunk):
            resource.total_rows = self.number + len(chunk)
        for line, row in chunk:
            self.number += 1
            resource.line_numbers.append(line)
            row_result = self.import_row(row, line)
            self.count(result, row_result, row)
        if self.dry_run:
            # Nothing is written; nothing is kept either.
            self.new, self.changed = [], []
        else:
            self.flush()
            if resource.recorder is not None:
                resource.recorder.flush()

    def import_row(self, row, line: int):
        """django-import-export's import_row, without its per-row queries,
        savepoint and diff."""
        resource = self.resource
        resource.row_warnings, resource.row_instance = [], None
        resource.current_line = line
        row_result = RowResult()
        preview = self.kept_valid < PREVIEW_ROWS
        try:
            resource.before_import_row(row, row_number=self.number)
            instance = resource.get_instance(self.loader, row)
            new = instance is None
            if new:
                instance = self.model()
            original = deepcopy(instance) if preview else None
            errors = {}
            try:
                resource.import_instance(instance, row)
            except ValidationError as exc:
                errors = exc.update_error_dict({})
            if not new and not errors and not self.differs(instance):
                row_result.import_type = RowResult.IMPORT_TYPE_SKIP
            else:
                row_result.import_type = (
                    RowResult.IMPORT_TYPE_NEW if new else RowResult.IMPORT_TYPE_UPDATE
                )
                self.validate(instance, errors)
                resource.before_save_instance(instance, row)
                self.queue(instance, new)
            if preview:
                diff = Diff(resource, original, new)
                diff.compare_with(resource, instance)
                row_result.diff = diff.as_html()
                row_result.add_instance_info(instance)
        except ValidationError as exc:
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = exc
        except Exception as exc:
            row_result.import_type = RowResult.IMPORT_TYPE_ERROR
            row_result.errors.append(
                resource.get_error_result_class()(exc, row=row, number=self.number)
            )
        return resource.finish_row(row_result, line, self.number)

    def differs(self, instance) -> bool:
        """Whether the row changes anything in the line it matched."""
        return snapshot(instance) != self.resource.row_before

    def validate(self, instance, errors: dict) -> None:
        """The resource's checks (plausibility included) and the model's field
        checks, without the queries full_clean makes for foreign keys and
        unique constraints."""
        resource = self.resource
        exclude = set(self.unvalidated)
        for column in errors:
            for f in resource.fields.values():
                if f.column_name == column and f.attribute:
                    exclude.add(f.attribute.split("__")[0])
        resource.row_warnings.extend(resource.plausibility(instance))
        try:
            instance.clean_fields(exclude=exclude)
            instance.clean()
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                column = "" if name == "__all__" else resource.column_of(name)
                errors.setdefault(column, []).extend(messages)
        if errors:
            raise ValidationError(errors)

    def queue(self, instance, new: bool) -> None:
        resource = self.resource
        item = resource.trail_item(instance)
        if item is not None and item.pk is not None:
            key = (type(item), item.pk)
            if key not in resource.touched and not self.dry_run:
                resource.snapshot(item)
            created, lines = resource.touched.get(key, (False, 0))
            resource.touched[key] = (created, lines + 1)
            self.trail[key] = item
        (self.new if new else self.changed).append(instance)
        self.loader.remember(instance)

    def count(self, result, row_result, row) -> None:
        kind = row_result.import_type
        result.totals[kind] += 1
        dropped = getattr(row_result, "dropped", None)
        if dropped:
            for messages in dropped.values():
                self.dropped.extend(messages)
        if row_result.errors:
            result.append_error_row(self.number, row, row_result.errors)
        elif row_result.validation_error is not None:
            result.append_invalid_row(self.number, row, row_result.validation_error)
        bad = kind in (RowResult.IMPORT_TYPE_INVALID, RowResult.IMPORT_TYPE_ERROR)
        if bad or dropped or self.kept_valid < PREVIEW_ROWS:
            result.append_row_result(row_result)
            if not (bad or dropped):
                self.kept_valid += 1
        if len(self.warnings) < MAX_MESSAGES:
            self.warnings.extend(getattr(row_result, "warnings", []))

    # Writes -------------------------------------------------------------

    def flush(self) -> None:
        if self.new:
            if connection.vendor == "postgresql":
                copy_insert(self.model, self.new)
            else:
                self.model._default_manager.bulk_create(self.new, batch_size=500)
        if self.changed:
            names = [
                f.name for f in self.model._meta.concrete_fields if not f.primary_key
            ]
            self.model._default_manager.bulk_update(self.changed, names, batch_size=500)
        self.new, self.changed = [], []

    def tell_others(self) -> None:
        """The programs and stories whose lines changed, to the search index,
        once the import has committed."""
        by_model: dict[type, list[int]] = {}
        for (model, pk), _item in self.trail.items():
            by_model.setdefault(model, []).append(pk)
        for model, pks in by_model.items():
            transaction.on_commit(lambda m=model, p=pks: hooks.items_changed(m, p))


def copy_insert(model, instances: list) -> None:
    """Insert new rows with COPY, their ids drawn from the table's sequence
    first so that the row records can name them."""
    opts = model._meta
    fields = list(opts.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) "
            "FROM generate_series(1, %s)",
            [opts.db_table, opts.pk.column, len(instances)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        for instance, pk in zip(instances, ids, strict=True):
            instance.pk = pk
            instance._state.adding = False
            instance._state.db = connection.alias
    prepare = [
        (f.attname, f.get_db_prep_save) if needs_prep(f) else (f.attname, None)
        for f in fields
    ]
    copy_rows(
        opts.db_table,
        [f.column for f in fields],
        (
            [
                prep(instance.__dict__[name], connection)
                if prep
                else instance.__dict__[name]
                for name, prep in prepare
            ]
            for instance in instances
        ),
    )


def needs_prep(field) -> bool:
    """Whether psycopg cannot take the attribute as it is."""
    return not isinstance(
        field,
        models.CharField
        | models.TextField
        | models.IntegerField
        | models.BooleanField
        | models.DecimalField
        | models.DateField
        | models.ForeignKey
        | models.AutoField,
    ) or isinstance(field, models.DateTimeField)
