"""The versions and audit entries an import (or its undo) leaves, written for
many items at once.

django-reversion's `add_to_revision` follows an item's registered relations,
runs Django's serializer once per object and inserts a row per object. A file
of 100,000 figures for 100 programs thus serialized 100,000 figures one call
at a time — about 40% of the import. `record_imports` writes the same revisions
and versions (one revision per item holding the item and every line it
follows, in reversion's own tables and format, so history, compare, restore
and the trash read them as before) with one query per relation for a chunk
of items, a serializer set up once per model, and COPY on PostgreSQL.
"""

import datetime
from collections.abc import Iterator
from decimal import Decimal
from itertools import islice

from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, router
from django.db.models import Field
from django.utils import timezone
from django.utils.encoding import is_protected_type
from reversion.models import Revision, Version

# register() keeps each model's options (fields, follow) here; reversion has
# no public accessor for them.
from reversion.revisions import _get_options

from editorial.models import AuditEntry
from portal.bulk import Instances, copy_rows

ITEMS_PER_CHUNK = 200
# django.utils.encoding.is_protected_type's types: written as they are.
PROTECTED = (
    type(None),
    int,
    float,
    Decimal,
    datetime.datetime,
    datetime.date,
    datetime.time,
)


class Serializer:
    """`serializers.serialize("json", [obj], fields=…)` as reversion calls it,
    for one model: the same text (tests compare them), without setting up a
    serializer for every object. Models with many-to-many fields are left to
    Django's serializer (they are the items, never the lines)."""

    def __init__(self, model):
        opts = model._meta.concrete_model._meta
        self.model, self.label, self.pk = model, str(opts), opts.pk
        self.selected = _get_options(model).fields
        self.fields = [
            field
            for field in opts.local_fields
            if field.serialize
            and (field.attname if field.remote_field is None else field.attname[:-3])
            in self.selected
        ]
        # Fields that turn an unprotected value into str(value), as Field
        # does, need no method call per object (texts, numbers, keys): None
        # in place of the field.
        self.plan = [
            (
                field.name,
                field.attname,
                None
                if type(field).value_to_string is Field.value_to_string
                and type(field).value_from_object is Field.value_from_object
                else field,
            )
            for field in self.fields
        ]
        self.plain = not opts.local_many_to_many
        self.encode = DjangoJSONEncoder(ensure_ascii=False).encode

    def __call__(self, obj) -> str:
        if not self.plain:
            return serializers.serialize("json", (obj,), fields=self.selected)
        values = {}
        for name, attname, field in self.plan:
            if field is None:
                value = getattr(obj, attname)
                values[name] = value if isinstance(value, PROTECTED) else str(value)
            else:
                value = field.value_from_object(obj)
                values[name] = (
                    value if is_protected_type(value) else field.value_to_string(obj)
                )
        pk = self.pk.value_from_object(obj)
        if not is_protected_type(pk):
            pk = self.pk.value_to_string(obj)
        return f"[{self.encode({'model': self.label, 'pk': pk, 'fields': values})}]"


def followed(model) -> list:
    """The reverse relations reversion follows from an item to its lines."""
    names = _get_options(model).follow
    relations = {r.get_accessor_name(): r for r in model._meta.related_objects}
    return [relations[name] for name in names]


def lines_of(relation, items: dict[int, object]) -> Iterator:
    """The lines of these items along one relation, each with its item cached
    (object_repr may name it) and its other foreign keys joined."""
    line_model, parent = relation.related_model, relation.field
    others = [
        f.name
        for f in line_model._meta.concrete_fields
        if f.many_to_one and f is not parent
    ]
    lines = line_model._default_manager.filter(
        **{f"{parent.name}__in": list(items)}
    ).order_by(parent.attname, "pk")
    if others:  # select_related() without names would follow every key
        lines = lines.select_related(*others).iterator(chunk_size=2000)
    else:  # rows as tuples, made into instances without __init__'s cost
        make, db = Instances(line_model), lines.db
        lines = (
            make.stored(values, db)
            for values in lines.values_list(*make.attnames).iterator(2000)
        )
    for line in lines:
        parent.set_cached_value(line, items[getattr(line, parent.attname)])
        yield line


def record_imports(model, messages: dict[int, str], user) -> None:
    """For each item of the model (id → message): a version as the import
    left it, its lines included, and a line in the audit trail naming the
    file. Each item gets a revision of its own: restoring one item's version
    must not bring back the other items of the same file."""
    who = user if user is not None and user.pk else None
    username = who.get_username() if who else "system"
    db = router.db_for_write(model)
    content_types = {}
    serializers_by_model = {}

    def version_row(revision_id: int, obj) -> tuple:
        cls = type(obj)
        if cls not in serializers_by_model:
            serializers_by_model[cls] = Serializer(cls)
            content_types[cls] = ContentType.objects.get_for_model(cls).pk
        return (
            revision_id,
            str(obj.pk),
            content_types[cls],
            db,
            "json",
            serializers_by_model[cls](obj),
            str(obj),
        )

    relations = followed(model)
    content_type = ContentType.objects.get_for_model(model)
    pks = sorted(messages)
    for start in range(0, len(pks), ITEMS_PER_CHUNK):
        chunk = pks[start : start + ITEMS_PER_CHUNK]
        items = {item.pk: item for item in model._default_manager.filter(pk__in=chunk)}
        now = timezone.now()
        revisions = Revision.objects.bulk_create(
            Revision(date_created=now, user=who, comment=messages[pk]) for pk in items
        )
        revision_of = {
            pk: revision.pk for pk, revision in zip(items, revisions, strict=True)
        }
        rows = (
            (version_row(revision_of[pk], item) for pk, item in items.items()),
            *(
                (
                    version_row(revision_of[getattr(line, r.field.attname)], line)
                    for line in lines_of(r, items)
                )
                for r in relations
            ),
        )
        write_versions(row for part in rows for row in part)
        AuditEntry.objects.bulk_create(
            AuditEntry(
                user=who,
                username=username,
                action=AuditEntry.Action.IMPORT,
                content_type=content_type,
                object_id=str(pk),
                object_repr=str(item)[:200],
                message=messages[pk],
            )
            for pk, item in items.items()
        )


VERSION_COLUMNS = [
    "revision_id",
    "object_id",
    "content_type_id",
    "db",
    "format",
    "serialized_data",
    "object_repr",
]


VERSIONS_PER_WRITE = 5000


def write_versions(rows: Iterator[tuple]) -> None:
    """Write the rows a few thousand at a time: reading them queries the
    database, which cannot happen while a COPY is under way."""
    while batch := list(islice(rows, VERSIONS_PER_WRITE)):
        if connection.vendor == "postgresql":
            copy_rows(Version._meta.db_table, VERSION_COLUMNS, batch)
        else:
            Version.objects.bulk_create(
                Version(**dict(zip(VERSION_COLUMNS, row, strict=True))) for row in batch
            )
