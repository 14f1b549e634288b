"""An item's fields as JSON, to record what an import changed and to tell,
later, whether anyone changed the item since.

Only fields a person or an import sets are tracked: the primary key and the
fields the database or save() maintain (created_at, updated_at,
lock_version) are left out; lock_version is compared on its own.
"""

import json
from decimal import Decimal
from functools import cache

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

UNTRACKED = {"created_at", "updated_at", "lock_version"}


@cache
def tracked_fields(model) -> list[models.Field]:
    fields = []
    for field in model._meta.get_fields():
        if field.auto_created or not getattr(field, "concrete", False):
            continue
        if field.primary_key or field.name in UNTRACKED:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            continue
        if field.many_to_many and not field.remote_field.through._meta.auto_created:
            # People in a story go through StoryPerson, edited inline, not imported.
            continue
        fields.append(field)
    return fields


def m2m_fields(model) -> list[models.Field]:
    return [f for f in tracked_fields(model) if f.many_to_many]


PLAIN = (str, int, float, bool, type(None))


def to_json(value):
    if isinstance(value, PLAIN):
        return value
    if isinstance(value, Decimal):
        # 4600 and 4600.0000 are the same amount.
        return format(value.normalize(), "f")
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


PLAIN_TYPES = frozenset(PLAIN)


def snapshot(obj, m2m: dict[str, list[int]] | None = None) -> dict:
    """Every tracked field of `obj` as JSON; many-to-many fields from `m2m`
    (sorted primary keys) when given, else from the database."""
    values = {}
    for field in tracked_fields(type(obj)):
        if field.many_to_many:
            if m2m is not None and field.name in m2m:
                pks = m2m[field.name]
            elif obj.pk is None:
                pks = []
            else:
                pks = list(getattr(obj, field.name).values_list("pk", flat=True))
            values[field.name] = sorted(pks)
        else:
            value = field.value_from_object(obj)
            # Most values are JSON already: no call (a row of a large file
            # is snapshotted once or twice).
            values[field.attname] = (
                value if type(value) in PLAIN_TYPES else to_json(value)
            )
    return values


def changed(before: dict, after: dict) -> dict:
    """The previous values of the fields that differ."""
    return {
        name: before.get(name)
        for name, value in after.items()
        if before.get(name) != value
    }


def load(field: models.Field, value):
    """A stored value back as the model field takes it."""
    if field.many_to_many or value is None:
        return value
    if field.is_relation:
        return field.target_field.to_python(value)
    return field.to_python(value)


def field_by_key(model) -> dict[str, models.Field]:
    return {(f.name if f.many_to_many else f.attname): f for f in tracked_fields(model)}


def edited_fields(obj, stored: dict) -> list[str]:
    """The verbose names of the fields of `obj` that differ from `stored`."""
    current = snapshot(obj)
    fields = field_by_key(type(obj))
    return [
        str(fields[name].verbose_name)
        for name, value in stored.items()
        if name in fields and current.get(name) != value
    ]
