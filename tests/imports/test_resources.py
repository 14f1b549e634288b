"""What an office's spreadsheet does to the portal's data, and what an export
gives back."""

from datetime import date
from decimal import Decimal

import pytest

from programs.abstract import Qualifier
from programs.models import Figure, Program, Region
from programs.resources import FigureResource, ProgramResource, RegionResource
from programs.spreadsheets import CSV, ODS, XLS, XLSX, parse_date, parse_quantity
from stories.models import Assistance, Person, Story
from stories.resources import AssistanceResource, PersonResource, StoryResource
from tests.factories import ProgramFactory
from tests.imports.helpers import dataset, messages, rows_to_csv, rows_to_xlsx

RESOURCES = [
    RegionResource,
    ProgramResource,
    FigureResource,
    StoryResource,
    PersonResource,
    AssistanceResource,
]


def lock_versions():
    return {
        "programs": dict(Program.objects.values_list("pk", "lock_version")),
        "stories": dict(Story.objects.values_list("pk", "lock_version")),
    }


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.__name__)
@pytest.mark.parametrize("file_format", [CSV, XLSX, ODS], ids=lambda f: f.__name__)
def test_exporting_and_importing_back_changes_nothing(demo, resource, file_format):
    before = lock_versions()
    exported = file_format().export_data(resource().export())
    result = resource().import_data(file_format().create_dataset(exported))

    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == result.totals["update"] == 0
    assert result.totals["skip"] == resource().get_queryset().count()
    assert lock_versions() == before


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.__name__)
@pytest.mark.parametrize("file_format", [CSV, XLSX], ids=lambda f: f.__name__)
def test_an_export_streamed_back_as_the_worker_reads_it_changes_nothing(
    demo, resource, file_format
):
    # The worker streams the stored bytes (csv module, python-calamine), not a
    # Dataset: typed cells (numbers, dates) must read as the Dataset's do.
    from imports.services import create_batch, run_batch

    before = lock_versions()
    exported = file_format().export_data(resource().export())
    if isinstance(exported, str):
        exported = exported.encode("utf-8-sig")
    batch = create_batch(
        resource_class=resource,
        user=None,
        file_name=f"export.{file_format.__name__.lower()}",
        data=exported,
        file_format=file_format,
        store=False,
    )
    result = run_batch(batch, data=exported)

    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == result.totals["update"] == 0
    assert result.totals["skip"] == resource().get_queryset().count()
    assert lock_versions() == before


def test_an_xls_export_reads_back_unchanged(demo):
    exported = XLS().export_data(FigureResource().export())
    result = FigureResource().import_data(XLS().create_dataset(exported))
    assert result.totals["skip"] == Figure.objects.count()


def program_rows(county, **changes):
    row = {
        "网址标识": "gangnan-bamboo",
        "标题": "港南区竹编合作社",
        "地区代码": county.code,
        "类别": "产业扶贫",
        "摘要": "竹编带动两百户增收。",
        "起始年份": "2018",
        "来源日期": "2019年11月6日",
        **changes,
    }
    return [list(row), list(row.values())]


def test_importing_the_same_file_twice_creates_and_changes_nothing(county):
    data = rows_to_xlsx(program_rows(county))
    first = ProgramResource().import_data(XLSX().create_dataset(data))
    program = Program.objects.get(slug="gangnan-bamboo")
    second = ProgramResource().import_data(XLSX().create_dataset(data))

    assert first.totals["new"] == 1
    assert second.totals["skip"] == 1 and second.totals["new"] == 0
    program_after = Program.objects.get(slug="gangnan-bamboo")
    assert program_after.lock_version == program.lock_version
    assert program_after.source_date == date(2019, 11, 6)
    assert program_after.status == Program.Status.DRAFT


def test_a_changed_row_updates_the_program_in_place(county):
    ProgramResource().import_data(dataset(program_rows(county)))
    result = ProgramResource().import_data(
        dataset(program_rows(county, 摘要="竹编带动三百户增收。"))
    )

    assert result.totals["update"] == 1
    assert Program.objects.get().summary == "竹编带动三百户增收。"


def test_a_program_without_slug_is_matched_by_title_and_region(county):
    rows = program_rows(county)
    del rows[0][0], rows[1][0]
    ProgramResource().import_data(dataset(rows))
    again = ProgramResource().import_data(dataset(rows))

    assert Program.objects.get().slug.startswith("gang-nan-qu")
    assert again.totals["skip"] == 1


def test_chinese_headers_variants_and_english_names_are_accepted(county):
    program = ProgramFactory(region=county, slug="gangnan-education")
    rows = [
        ["项目网址标识", "指标名称", "资金投入（万元）", "year", "统计期"],
        ["gangnan-education", "教育扶贫资金", "4600多", "2019", "2019年"],
    ]
    result = FigureResource().import_data(dataset(rows))

    assert not result.has_validation_errors(), messages(result)
    figure = program.figures.get()
    assert (figure.value, figure.unit, figure.qualifier) == (
        Decimal(4600),
        "万元",
        Qualifier.MORE,
    )
    assert figure.display == "4600多万元"


@pytest.mark.parametrize(
    ("cell", "unit", "expected"),
    [
        ("4600多万元", "", (Decimal(4600), "万元", Qualifier.MORE, False)),
        ("1.2万", "元", (Decimal(12000), "元", Qualifier.EXACT, False)),
        ("1.2万", "", (Decimal(12000), "", Qualifier.EXACT, False)),
        ("4600多", "万元", (Decimal(4600), "万元", Qualifier.MORE, False)),
        ("一千五百", "元", (Decimal(1500), "元", Qualifier.EXACT, False)),
        ("两万三千元", "", (Decimal(23000), "元", Qualifier.EXACT, False)),
        ("超过80万元", "", (Decimal(80), "万元", Qualifier.OVER, False)),
        ("80万元以上", "", (Decimal(80), "万元", Qualifier.OVER, False)),
        ("1.24万多户", "", (Decimal("1.24"), "万户", Qualifier.MORE, True)),
        ("110余户", "", (Decimal(110), "户", Qualifier.ODD, False)),
        ("约3,500元", "", (Decimal(3500), "元", Qualifier.ABOUT, False)),
        (648, "元", (Decimal(648), "元", Qualifier.EXACT, False)),
    ],
)
def test_numbers_are_read_with_their_unit_and_qualifier(cell, unit, expected):
    parsed = parse_quantity(cell, unit)
    assert (
        parsed.value,
        parsed.unit,
        parsed.qualifier,
        parsed.after_magnitude,
    ) == expected


@pytest.mark.parametrize(
    "cell",
    [
        "2019-11-06",
        "2019/11/6",
        "2019.11.6",
        "2019年11月6日",
        "20191106",
        43775,
        43775.0,
        "43775",
        date(2019, 11, 6),
    ],
)
def test_dates_are_read_in_the_forms_offices_use(cell):
    assert parse_date(cell) == date(2019, 11, 6)


def test_an_excel_date_cell_and_a_serial_number_import_as_dates(county):
    from datetime import datetime

    rows = program_rows(county, 来源日期=datetime(2019, 11, 6))
    ProgramResource().import_data(XLSX().create_dataset(rows_to_xlsx(rows)))
    rows = program_rows(county, 网址标识="second", 标题="二", 来源日期=43775)
    ProgramResource().import_data(XLSX().create_dataset(rows_to_xlsx(rows)))

    assert set(Program.objects.values_list("source_date", flat=True)) == {
        date(2019, 11, 6)
    }


def test_codes_stay_text_without_dot_zero_or_lost_zeros(db):
    rows = [
        ["地区代码", "名称", "层级", "上级地区代码"],
        [450000.0, "广西壮族自治区", "省级", ""],
        [450800, "贵港市", "地级", 450000.0],
    ]
    result = RegionResource().import_data(XLSX().create_dataset(rows_to_xlsx(rows)))

    assert not result.has_validation_errors(), messages(result)
    assert Region.objects.get(code="450800").parent.code == "450000"
    exported = XLSX().create_dataset(XLSX().export_data(RegionResource().export()))
    assert exported["地区代码"] == ["450000", "450800"]


def test_a_slug_with_leading_zeros_keeps_them(county):
    rows = program_rows(county, 网址标识="007")
    ProgramResource().import_data(CSV().create_dataset(rows_to_csv(rows)))
    assert Program.objects.filter(slug="007").exists()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030"])
def test_csv_is_decoded_whatever_its_encoding(county, encoding):
    rows = [
        ["真实姓名", "性别", "简介"],
        ["王𠮷", "女", "港南区村民"],
    ]
    data = CSV().create_dataset(rows_to_csv(rows, encoding))
    result = PersonResource().import_data(data)

    assert not result.has_validation_errors(), messages(result)
    assert Person.objects.get().real_name == "王𠮷"


def test_an_undecodable_csv_gets_a_chinese_message():
    from programs.spreadsheets import SpreadsheetError

    with pytest.raises(SpreadsheetError, match="编码"):
        CSV().create_dataset(bytes([0x81, 0x20, 0xFF]) * 3)


def test_an_unknown_region_code_is_named_with_row_and_column(county):
    rows = program_rows(county, 地区代码="999999")
    result = ProgramResource().import_data(dataset(rows))

    assert result.has_validation_errors()
    assert "第2行，“地区代码”：找不到区划代码为“999999”的地区" in messages(result)
    assert not Program.objects.exists()


def test_a_key_repeated_in_the_file_is_refused(county):
    rows = program_rows(county)
    rows.append(list(rows[1]))
    result = ProgramResource().import_data(dataset(rows))

    assert any("与第2行重复" in m and "第3行" in m for m in messages(result))
    assert not Program.objects.exists()


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([], "文件是空的"),
        ([["网址标识", "标题", "地区代码"]], "没有数据行"),
        ([["编号", "名字"], ["1", "x"]], "无法识别的列名：编号、名字"),
    ],
)
def test_a_file_without_usable_rows_is_explained(county, rows, expected):
    data = (
        CSV().create_dataset(rows_to_csv(rows)) if rows else CSV().create_dataset(b"")
    )
    result = ProgramResource().import_data(data)

    assert result.has_errors()
    assert any(expected in m for m in messages(result))
    assert not Program.objects.exists()


def test_a_missing_key_column_is_explained(db):
    result = FigureResource().import_data(dataset([["指标", "数值"], ["x", "1"]]))
    assert any("缺少必需的列：项目" in m for m in messages(result))


def test_blank_trailing_rows_are_ignored(county):
    rows = program_rows(county) + [["", "", "", "", "", "", ""]] * 3
    result = ProgramResource().import_data(XLSX().create_dataset(rows_to_xlsx(rows)))
    assert result.totals["new"] == 1 and not result.has_validation_errors()


def test_one_invalid_row_rolls_back_the_whole_file(county):
    rows = program_rows(county)
    rows.append(["second", "第二个", "999999", "产业扶贫", "x", "", ""])
    result = ProgramResource().import_data(dataset(rows))

    assert result.has_validation_errors()
    assert not Program.objects.exists()


def test_only_valid_rows_imports_the_good_ones_and_lists_the_rest(county):
    rows = program_rows(county)
    rows.append(["second", "第二个", "999999", "产业扶贫", "x", "", ""])
    result = ProgramResource(only_valid=True).import_data(dataset(rows))

    assert list(Program.objects.values_list("slug", flat=True)) == ["gangnan-bamboo"]
    assert result.dropped == ["第3行，“地区代码”：找不到区划代码为“999999”的地区"]


def test_a_future_year_is_a_warning_not_an_error(county):
    rows = program_rows(county, 起始年份="2099")
    result = ProgramResource().import_data(dataset(rows))

    assert Program.objects.get().start_year == 2099
    assert result.warnings == ["第2行，“起始年份”：2099年还没有到，请核对"]


def test_assistance_lines_import_with_story_person_and_amount(demo):
    story = Story.objects.get(slug="jindong-schoolboy-grandparents")
    rows = [
        ["故事", "序号", "帮扶措施", "受助人", "金额（元）", "频次", "年份"],
        [story.slug, "99", "社会捐赠", "潘长君", "1.2万", "一次性", "2019"],
    ]
    result = AssistanceResource().import_data(dataset(rows))

    assert not result.has_validation_errors(), messages(result)
    line = Assistance.objects.get(story=story, order=99)
    assert (line.value, line.unit, line.recipient.real_name) == (
        Decimal(12000),
        "元",
        "潘长君",
    )


def test_story_programs_and_causes_are_lists_with_either_semicolon(demo):
    story = Story.objects.get(slug="jindong-schoolboy-grandparents")
    rows = [
        ["网址标识", "相关项目", "致贫原因"],
        [story.slug, "gangnan-education;gangnan-health", "因学；缺劳力"],
    ]
    result = StoryResource().import_data(dataset(rows))

    assert not result.has_validation_errors(), messages(result)
    assert set(story.programs.values_list("slug", flat=True)) == {
        "gangnan-education",
        "gangnan-health",
    }


@pytest.mark.parametrize("start", ["=1+1", "+86", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_exports_neutralise_cells_a_spreadsheet_would_run(county, start):
    ProgramFactory(region=county, slug="formula", summary=start + " 摘要")
    for file_format in (CSV, XLSX):
        data = file_format().create_dataset(
            file_format().export_data(ProgramResource().export())
        )
        # A CSV reader may turn a lone CR into a line break; the quote stays.
        assert data["摘要"][0].replace("\n", "\r") == "'" + start + " 摘要"
