"""An import's trail written in bulk is the trail reversion itself writes."""

import contextvars

import pytest
import reversion
from django.contrib.auth import get_user_model
from reversion.models import Version

from editorial.models import AuditEntry
from editorial.trail import record_imports
from programs.models import Program
from stories.models import Story

pytestmark = pytest.mark.django_db


def reversion_versions(obj) -> set[tuple]:
    """What reversion's own add_to_revision writes for the item."""

    def save():
        with reversion.create_revision():
            reversion.add_to_revision(obj)

    contextvars.Context().run(save)
    return version_rows(Version.objects.get_for_object(obj).first().revision)


def version_rows(revision) -> set[tuple]:
    return set(
        revision.version_set.values_list(
            "content_type",
            "object_id",
            "db",
            "format",
            "serialized_data",
            "object_repr",
        )
    )


@pytest.mark.parametrize("model", [Program, Story])
def test_bulk_versions_are_the_versions_reversion_writes(demo, model):
    items = list(model.objects.all())
    expected = {item.pk: reversion_versions(item) for item in items}
    assert sum(len(rows) for rows in expected.values()) > 2 * len(items)  # lines too

    record_imports(model, {item.pk: f"导入{item.pk}" for item in items}, None)

    for item in items:
        latest = Version.objects.get_for_object(item).first().revision
        assert latest.comment == f"导入{item.pk}"
        assert version_rows(latest) == expected[item.pk]


def test_each_item_gets_its_own_revision_and_an_audit_entry(demo):
    admin = get_user_model().objects.create_user("importer")
    programs = list(Program.objects.order_by("pk")[:3])

    record_imports(
        Program, {p.pk: "从文件“a.xlsx”导入数据 2 条" for p in programs}, admin
    )

    revisions = {Version.objects.get_for_object(p).first().revision for p in programs}
    assert len(revisions) == 3
    assert {r.user for r in revisions} == {admin}
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.IMPORT)
    assert sorted(entries.values_list("object_id", "username", "message")) == sorted(
        (str(p.pk), "importer", "从文件“a.xlsx”导入数据 2 条") for p in programs
    )
