"""The fast path for large files of figures and assistance lines: the same
rules and messages as the row-by-row path, without its per-row queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from imports import fast, readers
from imports.models import ImportBatch
from imports.services import create_batch, run_batch, undo_batch
from programs.models import Figure
from programs.resources import FigureResource
from programs.spreadsheets import CSV, XLSX
from tests.factories import ProgramFactory
from tests.imports.helpers import dataset, rows_to_csv, rows_to_xlsx

HEADERS = ["项目", "指标", "数值", "单位", "年份", "统计期"]


@pytest.fixture
def programs(county):
    return [ProgramFactory(region=county, slug=f"p{i}") for i in range(5)]


def figure_rows(programs, n: int) -> list[list]:
    rows = [HEADERS]
    for i in range(n):
        program = programs[i % len(programs)]
        rows.append([program.slug, f"指标{i}", f"{i + 1}", "万元", 2019, ""])
    return rows


def import_bytes(data: bytes, file_format=CSV, policy="all", user=None):
    batch = create_batch(
        resource_class=FigureResource,
        user=user,
        file_name="figures",
        data=data,
        file_format=file_format,
        policy=policy,
        store=False,
    )
    result = run_batch(batch, data=data)
    batch.refresh_from_db()
    return batch, result


def test_a_large_file_takes_a_few_queries_per_program_not_per_row(programs):
    data = rows_to_csv(figure_rows(programs, 600))

    with CaptureQueriesContext(connection) as queries:
        batch, _result = import_bytes(data)

    assert batch.new_count == Figure.objects.count() == 600
    # Per program: its lines, its figures for the checks, its version before
    # and after; per chunk: the writes. Nothing per row.
    assert len(queries) < 150


def test_only_the_first_rows_and_the_bad_ones_keep_a_row_result(programs):
    rows = figure_rows(programs, fast.PREVIEW_ROWS + 100)
    rows.append([programs[0].slug, "坏的", "不是数字", "万元", 2019, ""])
    resource = FigureResource(only_valid=True)

    result = resource.import_data(dataset(rows), dry_run=True)

    assert result.totals["new"] == fast.PREVIEW_ROWS + 100
    assert len(result.rows) == fast.PREVIEW_ROWS + 1
    assert result.dropped == [f"第{len(rows)}行，“数值”：“不是数字”不是数字"]


def test_an_xlsx_streams_through_calamine_with_the_same_messages(programs):
    rows = figure_rows(programs, 3)
    rows.append([programs[0].slug, "坏的", "不是数字", "万元", 2019, ""])

    batch, _result = import_bytes(rows_to_xlsx(rows), XLSX)

    assert batch.status == ImportBatch.Status.FAILED
    assert batch.errors == ["第5行，“数值”：“不是数字”不是数字"]
    assert not Figure.objects.exists()


def test_numbers_typed_as_numbers_in_xlsx_read_like_text(programs):
    rows = [HEADERS, [programs[0].slug, "户数", 1200, "户", 2019.0, ""]]

    batch, _result = import_bytes(rows_to_xlsx(rows), XLSX)

    figure = Figure.objects.get()
    assert (figure.value, figure.unit, figure.year) == (1200, "户", 2019)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_csv_streams_in_any_encoding_an_office_writes(programs, encoding):
    data = rows_to_csv(figure_rows(programs, 2) + [["", "", "", "", "", ""]], encoding)

    headers, rows, estimate = readers.stream(data, "csv")

    assert headers == HEADERS
    assert [line for line, _values in rows] == [2, 3]


def test_the_fast_and_the_row_by_row_paths_agree(programs):
    rows = figure_rows(programs, 20)
    rows += [
        [programs[0].slug, "指标0", "5", "万元", 2019, ""],  # repeats line 2
        ["nowhere", "x", "1", "万元", 2019, ""],
        [programs[1].slug, "百分比", "120", "%", 2019, ""],
        [programs[1].slug, "未来", "1", "万元", 2099, ""],
        [programs[2].slug, "坏数", "很多", "万元", 2019, ""],
        [programs[2].slug, "坏年", "3", "万元", "明年", ""],
        [programs[3].slug, "长" * 300, "1", "万元", 2019, ""],
        [programs[3].slug, "", "1", "万元", 2019, ""],
        [programs[4].slug, "坏数与坏单位", "很多", "万元", "2019年", "全年"],
    ]

    fast_result = FigureResource(only_valid=True).import_data(
        dataset(rows), dry_run=True
    )
    slow_result = FigureResource(only_valid=True).import_rows_slowly(
        dataset(rows), dry_run=True
    )

    assert fast_result.totals == slow_result.totals
    assert fast_result.dropped == slow_result.dropped
    assert fast_result.warnings == slow_result.warnings
    assert len(fast_result.dropped) == 7 and len(fast_result.warnings) == 2


def test_a_row_repeating_another_in_other_words_is_refused(programs):
    # 2019 and 2019.0 differ as text but are the same year: the same figure.
    rows = [HEADERS, ["p0", "脱贫户数", "5", "户", "2019", ""]]
    rows.append(["p0", "脱贫户数", "6", "户", "2019.0", ""])
    result = FigureResource(only_valid=True).import_data(dataset(rows))

    assert result.dropped == ["第3行，“项目”：与前面的一行重复（标识相同）"]
    assert Figure.objects.get().value == 5


def test_an_unchanged_file_writes_nothing_the_second_time(programs):
    data = rows_to_csv(figure_rows(programs, 50))
    import_bytes(data)

    again, _result = import_bytes(data)

    assert (again.new_count, again.updated_count, again.unchanged_count) == (0, 0, 50)
    assert not again.rows.exists()


def test_a_changed_value_is_an_update_recorded_for_undo(programs, importer):
    rows = figure_rows(programs, 3)
    import_bytes(rows_to_csv(rows))
    rows[1][2] = "99"

    batch, _result = import_bytes(rows_to_csv(rows), user=importer)

    assert (batch.new_count, batch.updated_count, batch.unchanged_count) == (0, 1, 2)
    [row] = batch.rows.all()
    assert (row.before, row.after["value"]) == ({"value": "1"}, "99")
    undo_batch(batch, user=importer)
    assert Figure.objects.get(indicator="指标0").value == 1


def test_a_fast_import_is_undone_whole(programs, importer):
    batch, _result = import_bytes(rows_to_csv(figure_rows(programs, 30)), user=importer)
    assert batch.rows.count() == 30

    undo_batch(batch, user=importer)

    assert not Figure.objects.exists()


def test_undo_goes_a_chunk_at_a_time_and_counts_beyond_what_it_shows(
    programs, importer, monkeypatch
):
    from imports import services

    monkeypatch.setattr(services, "UNDO_CHUNK", 7)
    monkeypatch.setattr(services, "PLAN_SAMPLE", 5)
    batch, _result = import_bytes(rows_to_csv(figure_rows(programs, 30)), user=importer)
    Figure.objects.filter(indicator="指标29").update(value=1000)

    plan = services.plan_undo(batch)
    assert (plan.totals["delete"], plan.totals["refused"]) == (29, 1)
    assert len(plan.delete) == 5
    # Last line first.
    assert [row.line for row in plan.delete] == [30, 29, 28, 27, 26]

    done = undo_batch(batch, user=importer)

    assert done.totals == {"delete": 29, "restore": 0, "refused": 1, "gone": 0}
    assert list(Figure.objects.values_list("indicator", flat=True)) == ["指标29"]


def test_instances_made_in_bulk_are_as_the_model_makes_them():
    from portal.bulk import Instances
    from stories.models import StoryPhoto

    def fields(obj):
        return {k: v for k, v in vars(obj).items() if k != "_state"}

    made = Instances(Figure).new()
    assert fields(made) == fields(Figure()) and made._state.adding
    stored = Instances(Figure).stored(
        tuple(getattr(made, n) for n in Instances(Figure).attnames), "default"
    )
    assert not stored._state.adding and stored._state.db == "default"
    # An image field listens to post_init: those go through the constructor.
    assert not Instances(StoryPhoto).plain
