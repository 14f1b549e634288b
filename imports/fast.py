"""Every import, streamed a chunk of rows at a time, and the fast path for
large files of lines: figures and assistance.

All files stream from the stored bytes (imports.readers), and only the
first rows (for the preview's table) and the bad rows keep a RowResult, so
a file of any size imports in bounded memory. Items (programs, stories,
regions, people) go row by row through django-import-export's import_row,
each in a savepoint (FastImport.import_row_slowly). Lines go the fast way:

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
- each column's widget and attribute are worked out once (Plan), and a
  row is checked field by field (Model.clean_fields, the usual cells by a
  quick test: quick_check) without the queries full_clean makes for foreign
  keys and unique constraints (the lookups and the duplicate check have
  already decided those);
- instances are made without Model.__init__ (portal.bulk.Instances);
- the chunk's new lines are written with COPY on PostgreSQL (bulk_create
  elsewhere), changed lines with one bulk update, row records with COPY;
- a real import (not a preview) computes no diffs.

The models it writes have no save() of their own, so nothing is skipped by
not calling it; the search index hears about the programs and stories
touched once, after the import commits (imports.hooks).
"""

import gc
from contextlib import contextmanager
from copy import deepcopy
from decimal import Decimal

from django.core import validators
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection, models, transaction
from django.db.models.fields import NOT_PROVIDED
from django.db.transaction import set_rollback
from import_export import fields
from import_export.results import Result, RowResult

from imports import hooks
from imports.snapshots import snapshot
from portal.bulk import Instances, copy_rows
from programs.spreadsheets import LookupWidget, SpreadsheetError

CHUNK_SIZE = 2000
# Items are saved one by one: a chunk only bounds what the recorder holds.
ITEM_CHUNK_SIZE = 200
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
        id_model_fields = [
            self.model._meta.get_field(f.attribute) for f in self.id_fields
        ]
        self.parent_index = next(
            i for i, field in enumerate(id_model_fields) if field.many_to_one
        )
        self.parent_attname = id_model_fields[self.parent_index].attname
        self.key_attnames = [field.attname for field in id_model_fields]
        self.instances = Instances(self.model)
        # Where each key value is in a stored line (Instances.attnames' order).
        attnames = self.instances.attnames
        self.key_places = [attnames.index(name) for name in self.key_attnames]
        # parent id → key → the stored lines with it (None: a line this
        # import is writing).
        self.lines: dict[int, dict[tuple, list[tuple | None]]] = {}

    def key_of(self, values: list) -> tuple:
        return tuple([v.pk if isinstance(v, models.Model) else v for v in values])

    def lines_of(self, parent_pk: int) -> dict[tuple, list[tuple | None]]:
        if parent_pk not in self.lines:
            found: dict[tuple, list[tuple | None]] = {}
            rows = self.model._default_manager.filter(
                **{self.parent_attname: parent_pk}
            ).values_list(*self.instances.attnames)
            for values in rows:
                key = tuple(values[i] for i in self.key_places)
                found.setdefault(key, []).append(values)
            self.lines[parent_pk] = found
        return self.lines[parent_pk]

    def get_instance(self, row):
        return self.find([f.clean(row) for f in self.id_fields])

    def find(self, values: list):
        """The stored line with these key values (the id fields' cleaned
        values, in order), or None."""
        parent = values[self.parent_index]
        if parent is None:
            return None
        hits = self.lines_of(parent.pk).get(self.key_of(values))
        if not hits:
            return None
        if len(hits) > 1:
            raise self.model.MultipleObjectsReturned
        if hits[0] is None:
            raise ValidationError(
                {self.resource.key_columns[0]: "与前面的一行重复（标识相同）"}
            )
        return self.instances.stored(hits[0], connection.alias)

    def remember(self, instance, key: tuple | None = None) -> None:
        """A line this import wrote: a later row of the file with its key finds
        it (and is refused as a duplicate before that)."""
        if key is None:
            key = tuple(getattr(instance, name) for name in self.key_attnames)
        # A new line's values are never read back: a row that finds it is
        # refused as a duplicate.
        stored = (
            None
            if instance.pk is None
            else tuple(getattr(instance, name) for name in self.instances.attnames)
        )
        self.lines_of(getattr(instance, self.parent_attname))[key] = [stored]


class Plan:
    """SpreadsheetResource.import_instance worked out once per import: for
    each column of the file, its field's widget and attribute, so that a row
    costs a call per cell rather than django-import-export's walk over every
    field, its checks and its logging. Built from the first row, whose
    columns every row shares."""

    PLAIN, QUANTITY, CUSTOM = range(3)

    def __init__(self, resource, row, loader: FastLoader):
        from programs.spreadsheets import QuantityField

        self.entries = []
        for f in resource.get_import_fields():
            if not f.attribute or f.column_name not in row or f.readonly:
                continue  # import_field and Field.save skip these too
            if isinstance(f, QuantityField):
                kind = self.QUANTITY
            elif (
                type(f).save is fields.Field.save
                and type(f).clean is fields.Field.clean
                and "__" not in f.attribute
            ):
                kind = self.PLAIN
            else:
                kind = self.CUSTOM
            self.entries.append((kind, f))
        model = resource._meta.model
        # Foreign keys set without the descriptor's checks, which a looked-up
        # value passes by construction (LookupWidget reads the related model).
        self.keys = {}
        for kind, f in self.entries:
            if kind == self.PLAIN:
                try:
                    field = model._meta.get_field(f.attribute)
                except FieldDoesNotExist:
                    continue
                if field.many_to_one and not field.one_to_one:
                    self.keys[id(f)] = (
                        field,
                        field.remote_field.model._meta.concrete_model,
                        field.target_field.attname,
                    )
        self.columns = [f.column_name for _kind, f in self.entries]
        # Where each id field's value is, if every one is a plain column.
        places = {id(f): i for i, (kind, f) in enumerate(self.entries) if not kind}
        self.key_places = [places.get(id(f)) for f in loader.id_fields]
        if None in self.key_places:
            self.key_places = None

    def clean(self, row) -> tuple[list, dict]:
        """The row's cleaned values, entry by entry, and its cells' errors."""
        values, errors = [], {}
        for kind, f in self.entries:
            value = None
            try:
                if kind == self.PLAIN:
                    value = f.widget.clean(row.get(f.column_name, ""), row=row)
                    if value in f.empty_values and f.default is not NOT_PROVIDED:
                        value = f.default() if callable(f.default) else f.default
                elif kind == self.QUANTITY:
                    value = f.clean(row)
            except ValueError as exc:
                errors[f.column_name] = [str(exc)]
            values.append(value)
        return values, errors

    def key(self, values: list, errors: dict) -> list | None:
        """The id fields' values, unless one of them could not be read (the
        resource's get_instance then says why)."""
        if self.key_places is None:
            return None
        found = [values[i] for i in self.key_places]
        if any(self.entries[i][1].column_name in errors for i in self.key_places):
            return None
        return found

    def apply(self, instance, row, values: list, errors: dict) -> None:
        for (kind, f), value in zip(self.entries, values, strict=True):
            if f.column_name in errors:
                continue
            if kind == self.PLAIN:
                key = self.keys.get(id(f))
                if (
                    key is not None
                    and type(value) is key[1]
                    and value._state.db is not None
                    and instance._state.db in (None, value._state.db)
                ):
                    field, _model, target = key
                    instance._state.db = value._state.db
                    instance.__dict__[field.attname] = getattr(value, target)
                    field.set_cached_value(instance, value)
                elif value is not None or f.saves_null_values:
                    setattr(instance, f.attribute, value)
            elif kind == self.QUANTITY:
                instance.value, instance.unit = value.value, value.unit
                instance.qualifier = value.qualifier
                instance.qualifier_after_magnitude = value.after_magnitude
            else:
                try:
                    f.save(instance, row)
                except ValueError as exc:
                    errors[f.column_name] = [str(exc)]


def quick_check(field):
    """For the usual cells of a field, a test that they pass Field.clean
    unchanged (a string within its length, one of the field's choices, a
    whole number within its range, a yes or no), so that only the rest go
    through to_python, validate and the validators. None for the fields whose
    every value must go through."""
    checks = field.validators
    if field.choices:
        allowed = {value for value, _label in field.flatchoices}
        if all(isinstance(v, validators.MaxLengthValidator) for v in checks):
            return lambda raw: isinstance(raw, str) and raw != "" and raw in allowed
        return None
    if isinstance(field, models.CharField | models.TextField):
        limit = field.max_length or 1 << 62
        if all(
            isinstance(v, validators.MaxLengthValidator) and v.limit_value == limit
            for v in checks
        ):
            return lambda raw: isinstance(raw, str) and raw != "" and len(raw) <= limit
        return None
    if isinstance(field, models.DecimalField) and len(checks) == 1:
        (digits,) = checks
        if type(digits) is not validators.DecimalValidator:
            return None

        def passes(raw) -> bool:
            if type(raw) is not Decimal or not raw.is_finite():
                return False
            try:
                digits(raw)
            except ValidationError:
                return False
            return True

        return passes
    if isinstance(field, models.BooleanField) and not checks:
        return lambda raw: type(raw) is bool
    if isinstance(field, models.IntegerField) and not field.primary_key:
        low, high = -(1 << 63), 1 << 63
        for v in checks:
            if type(v) is validators.MinValueValidator:
                low = max(low, v.limit_value)
            elif type(v) is validators.MaxValueValidator:
                high = min(high, v.limit_value)
            else:
                return None
        return lambda raw: type(raw) is int and low <= raw <= high
    return None


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
        resource.line_numbers = []
        self.new: list = []
        self.changed: list = []
        self.number = 0
        self.kept_valid = 0
        self.warnings: list[str] = []
        self.dropped: list[str] = []
        self.trail: dict[tuple, object] = {}
        for f in resource.fields.values():
            if isinstance(f.widget, LookupWidget):
                f.widget.memo = {}
        self.fast = fast_enabled(resource)
        if not self.fast:
            self.instance_loader = resource._meta.instance_loader_class(resource)
            return
        resource.track_changes = True
        self.loader = FastLoader(resource)
        self.plan: Plan | None = None
        # Not checked: fields read from the database by lookups, or set by it.
        unvalidated = set(resource.unvalidated) | {
            f.attribute
            for f in resource.get_import_fields()
            if isinstance(f.widget, LookupWidget) and f.attribute
        }
        self.field_checks = [
            (f, quick_check(f))
            for f in self.model._meta.fields
            if not f.generated and f.name not in unvalidated
        ]

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
        with transaction.atomic(), young_garbage_only(self.fast):
            chunk, size = [], CHUNK_SIZE if self.fast else ITEM_CHUNK_SIZE
            for line, values in rows:
                chunk.append((line, dict(zip(headers, values, strict=False))))
                if len(chunk) >= size:
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
        import_row = self.import_row if self.fast else self.import_row_slowly
        for line, row in chunk:
            self.number += 1
            resource.line_numbers.append(line)
            row_result = import_row(row, line)
            self.count(result, row_result, row)
        if self.dry_run:
            # Nothing is written; nothing is kept either.
            self.new, self.changed = [], []
        else:
            self.flush()
            if resource.recorder is not None:
                resource.recorder.flush()
        gc.collect(1)

    def import_row(self, row, line: int):
        """django-import-export's import_row, without its per-row queries,
        savepoint and diff."""
        resource = self.resource
        resource.row_warnings, resource.row_instance = [], None
        resource.current_line = line
        row_result = RowResult()
        # Only a preview shows the rows' changes.
        preview = self.dry_run and self.kept_valid < PREVIEW_ROWS
        try:
            resource.before_import_row(row, row_number=self.number)
            if self.plan is None:
                # The resource's get_instance may add the columns a key needs
                # (FigureResource's 年份 and 统计期): the plan sees them.
                resource.get_instance(self.loader, row)
                self.plan = Plan(resource, row, self.loader)
            values, errors = self.plan.clean(row)
            key = self.plan.key(values, errors)
            if key is None:
                instance = resource.get_instance(self.loader, row)
            else:
                try:
                    instance = self.loader.find(key)
                except self.model.MultipleObjectsReturned:
                    instance = resource.get_instance(self.loader, row)
            new = instance is None
            if new:
                instance = self.loader.instances.new()
            original = deepcopy(instance) if preview else None
            resource.row_instance = instance
            resource.row_before = None if new else snapshot(instance)
            self.plan.apply(instance, row, values, errors)
            if errors:
                errors = ValidationError(
                    {c: errors[c] for c in self.plan.columns if c in errors}
                ).update_error_dict({})
            if not new and not errors and not self.differs(instance):
                row_result.import_type = RowResult.IMPORT_TYPE_SKIP
            else:
                row_result.import_type = (
                    RowResult.IMPORT_TYPE_NEW if new else RowResult.IMPORT_TYPE_UPDATE
                )
                self.validate(instance, errors)
                resource.before_save_instance(instance, row)
                if key is not None and None in key:
                    key = None  # a None may not have been set: read it back
                self.queue(
                    instance, new, None if key is None else self.loader.key_of(key)
                )
            if preview:
                diff = resource.get_diff_class()(resource, original, new)
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

    def import_row_slowly(self, row, line: int):
        """For items rather than lines (programs, stories, regions, people:
        models with a save() of their own, many-to-many fields, revisions):
        django-import-export's import_row, the resource's checks and messages
        included, in a savepoint, so that a row the database refuses leaves
        the rest of the file going. Only the streaming is this module's."""
        with transaction.atomic():
            return self.resource.import_row(
                row,
                self.instance_loader,
                row_number=self.number,
                dry_run=self.dry_run,
                using_transactions=True,
            )

    def differs(self, instance) -> bool:
        """Whether the row changes anything in the line it matched."""
        return snapshot(instance) != self.resource.row_before

    def validate(self, instance, errors: dict) -> None:
        """The resource's checks (plausibility included) and the model's field
        checks, without the queries full_clean makes for foreign keys and
        unique constraints."""
        resource = self.resource
        exclude = set()  # besides the fields field_checks leaves out
        for column in errors:
            for f in resource.fields.values():
                if f.column_name == column and f.attribute:
                    exclude.add(f.attribute.split("__")[0])
        resource.row_warnings.extend(resource.plausibility(instance))
        try:
            self.clean_fields(instance, exclude)
            instance.clean()
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                column = "" if name == "__all__" else resource.column_of(name)
                errors.setdefault(column, []).extend(messages)
        if errors:
            raise ValidationError(errors)

    def clean_fields(self, instance, exclude: set) -> None:
        """Model.clean_fields, with the usual cells passed by quick_check
        rather than by Field.clean."""
        errors = {}
        for f, passes in self.field_checks:
            if exclude and f.name in exclude:
                continue
            raw = getattr(instance, f.attname)
            if passes is not None and passes(raw):
                continue
            if f.blank and raw in f.empty_values:
                continue
            try:
                setattr(instance, f.attname, f.clean(raw, instance))
            except ValidationError as exc:
                errors[f.name] = exc.error_list
        if errors:
            raise ValidationError(errors)

    def queue(self, instance, new: bool, key: tuple | None = None) -> None:
        """Keep the line for the chunk's writes, its item for the trail, and
        its key (the id fields' values, if known) for later rows."""
        resource = self.resource
        item = resource.trail_item(instance)
        if item is not None and item.pk is not None:
            touched = (type(item), item.pk)
            if touched not in resource.touched and not self.dry_run:
                resource.snapshot(item)
            created, lines = resource.touched.get(touched, (False, 0))
            resource.touched[touched] = (created, lines + 1)
            self.trail[touched] = item
        (self.new if new else self.changed).append(instance)
        self.loader.remember(instance, key)

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


@contextmanager
def young_garbage_only(when: bool = True):
    """Python's collector walks every live object now and then; a fast
    import keeps a few hundred thousand alive (the lines it has seen), and
    the walks cost a tenth of its time. During the import only the young
    objects are collected, after each chunk. (Items, saved one by one, leave
    cycles of garbage the young collections miss: they keep the collector.)"""
    was_enabled = gc.isenabled()
    if not when:
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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
