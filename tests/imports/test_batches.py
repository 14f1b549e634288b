"""Every import is a batch that records what each row did, and can be undone,
except for rows someone edited since."""

import hashlib
from decimal import Decimal

import pytest
from django.urls import reverse

from editorial.models import AuditEntry
from imports.models import ImportBatch, ImportRow
from imports.services import create_batch, plan_undo, run_batch, undo_batch
from programs.models import Figure, Program
from programs.resources import FigureResource, ProgramResource
from programs.spreadsheets import CSV
from stories.models import Story
from stories.resources import StoryResource
from tests.factories import AssistanceFactory, FigureFactory, ProgramFactory
from tests.imports.helpers import rows_to_csv
from tests.imports.test_admin import confirm, upload

FIGURE_HEADERS = ["项目", "指标", "数值", "年份"]


def import_file(user, resource_class, rows, policy="all", name="data.csv"):
    data = rows_to_csv(rows)
    batch = create_batch(
        resource_class=resource_class,
        user=user,
        file_name=name,
        data=data,
        file_format=CSV,
        policy=policy,
    )
    run_batch(batch)
    batch.refresh_from_db()
    return batch


@pytest.fixture
def program(county):
    return ProgramFactory(
        region=county, slug="gangnan-bamboo", title="竹编合作社", category="education"
    )


def test_an_admin_import_is_recorded_as_a_batch_with_its_file_and_counts(
    client, importer, county
):
    from tests.imports.test_admin import program_csv

    data = program_csv(county, encoding="utf-8-sig")
    client.force_login(importer)
    confirm(client, upload(client, data, name="港南项目.csv"))

    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.DONE
    assert (batch.file_name, batch.file_size, batch.file_format) == (
        "港南项目.csv",
        len(data),
        "csv",
    )
    assert batch.sha256 == hashlib.sha256(data).hexdigest()
    assert (batch.username, batch.policy) == ("importer", "all")
    assert (batch.new_count, batch.updated_count, batch.invalid_count) == (1, 0, 0)
    [row] = batch.rows.all()
    assert (row.line, row.action) == (2, ImportRow.Action.NEW)
    assert row.object_id == Program.objects.get().pk
    assert row.after["title"] == "港南区竹编合作社（王𠮷）"
    # The file held personal data: it is gone once imported.
    assert batch.upload is None


def test_an_update_records_the_values_before_and_after(importer, program):
    rows = [["网址标识", "标题", "地区代码", "类别", "摘要"]]
    rows.append(
        [program.slug, "竹编合作社（新）", program.region.code, "产业扶贫", "新"]
    )

    batch = import_file(importer, ProgramResource, rows)

    [row] = batch.rows.all()
    assert row.action == ImportRow.Action.UPDATE
    assert row.before == {
        "title": "竹编合作社",
        "summary": program.summary,
        "category": program.category,
    }
    assert (row.after["title"], row.after["summary"]) == ("竹编合作社（新）", "新")
    assert row.version_after == Program.objects.get().lock_version


def test_unchanged_rows_are_counted_not_recorded(importer, program):
    rows = [FIGURE_HEADERS, [program.slug, "带动户数", "200户", "2019"]]
    import_file(importer, FigureResource, rows)

    again = import_file(importer, FigureResource, rows)

    assert (again.new_count, again.unchanged_count) == (0, 1)
    assert not again.rows.exists()


def test_only_valid_batches_record_the_skipped_rows_and_why(importer, program):
    rows = [
        FIGURE_HEADERS,
        [program.slug, "带动户数", "200户", "2019"],
        ["no-such-program", "带动户数", "10户", "2019"],
    ]
    batch = import_file(importer, FigureResource, rows, policy="valid")

    assert (batch.new_count, batch.skipped_count, batch.invalid_count) == (1, 1, 1)
    skipped = batch.rows.get(action=ImportRow.Action.SKIPPED)
    assert skipped.line == 3
    assert "找不到网址标识为“no-such-program”的扶贫项目" in skipped.messages[0]


def test_a_refused_file_is_a_failed_batch_that_wrote_nothing(importer, program):
    rows = [
        FIGURE_HEADERS,
        [program.slug, "带动户数", "200户", "2019"],
        [program.slug, "带动户数", "不是数字", "2020"],
    ]
    batch = import_file(importer, FigureResource, rows)

    assert batch.status == ImportBatch.Status.FAILED
    assert batch.message == "文件有错误，什么都没有导入。"
    assert any("第3行" in m for m in batch.errors)
    assert not Figure.objects.exists() and not batch.rows.exists()


def test_undo_deletes_what_the_batch_created_and_restores_what_it_changed(
    importer, program
):
    FigureFactory(
        program=program, indicator="带动户数", year=2019, value=100, unit="户"
    )
    rows = [
        FIGURE_HEADERS,
        [program.slug, "带动户数", "200户", "2019"],
        [program.slug, "增收", "4600多万元", "2019"],
    ]
    batch = import_file(importer, FigureResource, rows)
    assert (batch.new_count, batch.updated_count) == (1, 1)

    plan = plan_undo(batch)
    assert (len(plan.delete), len(plan.restore), len(plan.refused)) == (1, 1, 0)
    # Planning changes nothing.
    assert Figure.objects.count() == 2

    undo_batch(batch, user=importer)

    [figure] = Figure.objects.all()
    assert (figure.indicator, figure.value, figure.unit) == ("带动户数", 100, "户")
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UNDONE
    assert batch.undone_by == "importer"
    assert set(batch.rows.values_list("undo", flat=True)) == {"undone"}
    # The program's history says so.
    assert AuditEntry.objects.filter(
        object_id=str(program.pk), message__startswith="撤销导入“data.csv”"
    ).exists()


def test_undo_refuses_a_row_edited_since_and_undoes_the_others(importer, county):
    rows = [["网址标识", "标题", "地区代码", "类别", "摘要"]]
    rows += [
        ["bamboo", "竹编", county.code, "产业扶贫", "竹编带动增收。"],
        ["tea", "茶园", county.code, "产业扶贫", "茶园带动增收。"],
    ]
    batch = import_file(importer, ProgramResource, rows)
    # An editor improves one of them after the import.
    tea = Program.objects.get(slug="tea")
    tea.summary = "茶园带动一百户增收。"
    tea.save()

    plan = plan_undo(batch)
    [refused] = plan.refused
    assert refused.undo_note == (
        "第3行（扶贫项目“茶园”）：导入之后有人改过（摘要），为了不覆盖别人的修改，"
        "这一行没有撤销。如确需撤销，请在编辑页面手动修改。"
    )

    undo_batch(batch, user=importer)

    assert list(Program.objects.values_list("slug", "summary")) == [
        ("tea", "茶园带动一百户增收。")
    ]
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PARTLY_UNDONE
    assert batch.rows.get(line=3).undo == ImportRow.Undo.REFUSED


def test_undo_refuses_a_change_that_only_moved_the_lock_version(importer, program):
    rows = [["网址标识", "标题", "地区代码", "类别", "摘要"]]
    rows.append([program.slug, "新标题", program.region.code, "产业扶贫", "新摘要"])
    batch = import_file(importer, ProgramResource, rows)
    # Someone saved it (perhaps changed it and back): the import's values are
    # still there, but it is not the import's version any more.
    Program.objects.get().save()

    [refused] = plan_undo(batch).refused
    assert "版本号变了" in refused.undo_note


def test_undo_refuses_a_figure_whose_value_was_edited_since(importer, program):
    rows = [FIGURE_HEADERS, [program.slug, "带动户数", "200户", "2019"]]
    batch = import_file(importer, FigureResource, rows)
    Figure.objects.update(value=Decimal(210))

    undo_batch(batch, user=importer)

    assert Figure.objects.get().value == 210
    assert "（数值）" in batch.rows.get().undo_note


def test_undo_will_not_delete_a_story_that_has_assistance_added_since(importer, county):
    rows = [["网址标识", "标题", "导语", "正文", "地区代码"]]
    rows.append(["ye-shouheng", "叶寿恒的新生活", "导语", "正文", county.code])
    batch = import_file(importer, StoryResource, rows)
    AssistanceFactory(story=Story.objects.get())

    undo_batch(batch, user=importer)

    assert Story.objects.exists()
    assert "已有其他内容关联到它（1 条帮扶明细）" in batch.rows.get().undo_note


def test_a_program_linked_from_a_story_since_is_not_deleted(importer, county):
    rows = [["网址标识", "标题", "地区代码", "类别", "摘要"]]
    rows.append(["bamboo", "竹编", county.code, "产业扶贫", "竹编带动增收。"])
    batch = import_file(importer, ProgramResource, rows)
    from tests.factories import StoryFactory

    StoryFactory(region=county).programs.add(Program.objects.get())

    [refused] = plan_undo(batch).refused
    assert "1 条人物故事" in refused.undo_note


# The admin -----------------------------------------------------------------


def batch_url(batch, name="change"):
    return reverse(f"admin:imports_importbatch_{name}", args=[batch.pk])


def test_importers_see_the_batch_list_and_each_rows_changes(client, importer, program):
    rows = [["网址标识", "标题", "地区代码", "类别", "摘要"]]
    rows.append(
        [program.slug, "竹编合作社（新）", program.region.code, "产业扶贫", "新"]
    )
    batch = import_file(importer, ProgramResource, rows, name="项目.csv")
    client.force_login(importer)

    listing = client.get(reverse("admin:imports_importbatch_changelist")).text
    detail = client.get(batch_url(batch)).text

    assert "项目.csv" in listing and "已导入" in listing
    assert "<del>竹编合作社</del> → <ins>竹编合作社（新）</ins>" in detail
    assert "撤销这次导入" in detail


def test_staff_outside_the_importers_group_cannot_see_batches(
    client, editor, importer, program
):
    batch = import_file(
        importer, FigureResource, [FIGURE_HEADERS, [program.slug, "户数", "2户", ""]]
    )
    client.force_login(editor)
    assert (
        client.get(reverse("admin:imports_importbatch_changelist")).status_code == 403
    )
    assert client.get(batch_url(batch)).status_code in (403, 404)
    assert client.post(batch_url(batch, "undo")).status_code in (403, 404)
    assert Figure.objects.exists()


def test_undo_in_the_admin_shows_what_it_will_do_then_does_it(client, importer, county):
    rows = [["网址标识", "标题", "地区代码", "类别", "摘要"]]
    rows += [
        ["bamboo", "竹编", county.code, "产业扶贫", "竹编带动增收。"],
        ["tea", "茶园", county.code, "产业扶贫", "茶园带动增收。"],
    ]
    batch = import_file(importer, ProgramResource, rows)
    tea = Program.objects.get(slug="tea")
    tea.title = "茶园（改）"
    tea.save()
    client.force_login(importer)

    preview = client.get(batch_url(batch, "undo")).text
    assert "将删除" in preview and "第2行：竹编" in preview
    assert "第3行（扶贫项目“茶园”）：导入之后有人改过（标题）" in preview
    assert Program.objects.count() == 2

    response = client.post(batch_url(batch, "undo"), follow=True)

    assert list(Program.objects.values_list("slug", flat=True)) == ["tea"]
    assert "已撤销：删除 1 条，恢复 0 条。" in response.text
    assert "有 1 行没有撤销" in response.text
    # The deleted program went to the trash, where a reviewer can recover it.
    assert AuditEntry.objects.filter(action="delete", object_repr="竹编").exists()


def test_a_batch_cannot_be_undone_twice(client, importer, program):
    batch = import_file(
        importer, FigureResource, [FIGURE_HEADERS, [program.slug, "户数", "2户", ""]]
    )
    client.force_login(importer)
    client.post(batch_url(batch, "undo"))
    FigureFactory(program=program, indicator="户数", year=None, value=2, unit="户")

    response = client.post(batch_url(batch, "undo"), follow=True)

    assert "这一批已经撤销过" in response.text
    assert Figure.objects.count() == 1
