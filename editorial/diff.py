"""Readable differences between two saved versions of an item: its own fields
character by character (Chinese has no spaces to split words on), and its
structured lines (assistance, figures, people…) as added, removed or changed."""

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.db import models
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from reversion.models import Version

# Bookkeeping that changes on every save and says nothing to an editor.
IGNORED = {"id", "lock_version", "updated_at", "created_at", "created_by"}


def inline_diff(old: str, new: str) -> SafeString:
    """Old and new text merged, deletions in <del>, insertions in <ins>."""
    parts = []
    for op, i1, i2, j1, j2 in SequenceMatcher(
        None, old, new, autojunk=False
    ).get_opcodes():
        if op == "equal":
            parts.append(escape(old[i1:i2]))
            continue
        if i2 > i1:
            parts.append(format_html("<del>{}</del>", old[i1:i2]))
        if j2 > j1:
            parts.append(format_html("<ins>{}</ins>", new[j1:j2]))
    # Every part was escaped or built by format_html above.
    return mark_safe("".join(parts))  # nosec B308 B703


def display_value(model: type[models.Model], name: str, value) -> str:
    """A stored value as an editor would recognise it: labels, not codes."""
    if value is None or value == "":
        return "—"
    try:
        model_field = model._meta.get_field(name)
    except Exception:  # an attname such as region_id
        model_field = next(
            (f for f in model._meta.concrete_fields if f.attname == name), None
        )
    if model_field is None:
        return str(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation:
        related = model_field.related_model
        ids = value if isinstance(value, list | tuple) else [value]
        names = {str(o.pk): str(o) for o in related._default_manager.filter(pk__in=ids)}
        return "、".join(names.get(str(i), f"#{i}（已删除）") for i in ids) or "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def model_field_named(model: type[models.Model], name: str):
    for f in [*model._meta.concrete_fields, *model._meta.many_to_many]:
        if name in (f.name, f.attname):
            return f
    return None


def is_prose(model: type[models.Model], name: str) -> bool:
    """Text worth comparing character by character. A number, date, choice or
    related item is replaced whole: 1500 → 2000 reads better than 15→2, 00, +0."""
    model_field = model_field_named(model, name)
    return (
        isinstance(model_field, models.CharField | models.TextField)
        and not model_field.choices
    )


def field_label(model: type[models.Model], name: str) -> str:
    model_field = model_field_named(model, name)
    return str(model_field.verbose_name) if model_field else name


@dataclass
class FieldChange:
    label: str
    old: str
    new: str
    prose: bool = True

    @property
    def diff(self) -> SafeString:
        if self.prose:
            return inline_diff(self.old, self.new)
        return format_html("<del>{}</del><ins>{}</ins>", self.old, self.new)


@dataclass
class LineChange:
    kind: str  # "added", "removed", "changed"
    model_label: str
    title: str
    changes: list[FieldChange] = field(default_factory=list)


def compare_fields(model, old: dict, new: dict) -> list[FieldChange]:
    changes = []
    for name in dict.fromkeys([*old, *new]):
        if name in IGNORED or name.removesuffix("_id") in IGNORED:
            continue
        before, after = old.get(name), new.get(name)
        if isinstance(before, list) and isinstance(after, list):
            before, after = sorted(map(str, before)), sorted(map(str, after))
        if before == after:
            continue
        changes.append(
            FieldChange(
                field_label(model, name),
                display_value(model, name, before),
                display_value(model, name, after),
                prose=is_prose(model, name),
            )
        )
    return changes


def compare_versions(
    old: Version, new: Version
) -> tuple[list[FieldChange], list[LineChange]]:
    """What changed on the item itself, and in the lines saved with it."""
    model = old.content_type.model_class()
    own = compare_fields(model, old.field_dict, new.field_dict)

    def lines(version: Version) -> dict[tuple[int, str], Version]:
        return {
            (v.content_type_id, v.object_id): v
            for v in version.revision.version_set.select_related("content_type")
            if not (
                v.content_type_id == version.content_type_id
                and v.object_id == version.object_id
            )
        }

    before, after = lines(old), lines(new)
    changed_lines = []
    for key in dict.fromkeys([*before, *after]):
        was, now = before.get(key), after.get(key)
        version = now or was
        line_model = version.content_type.model_class()
        label = str(line_model._meta.verbose_name)
        if was is None:
            changed_lines.append(LineChange("added", label, now.object_repr))
        elif now is None:
            changed_lines.append(LineChange("removed", label, was.object_repr))
        else:
            changes = compare_fields(line_model, was.field_dict, now.field_dict)
            if changes:
                changed_lines.append(
                    LineChange("changed", label, now.object_repr, changes)
                )
    return own, changed_lines
