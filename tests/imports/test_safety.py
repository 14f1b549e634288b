"""What keeps an import honest: warnings for numbers worth a second look, no
silent return of deleted items, a trail for every change, hostile files
refused, and all or nothing even when the database fails half way."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse
from reversion.models import Version

from editorial.models import AuditEntry
from editorial.services import snapshot_before_delete
from programs.models import Figure, Program
from programs.resources import FigureResource, ProgramResource
from programs.spreadsheets import ODS, XLSX, SpreadsheetError
from stories.models import Story
from stories.resources import AssistanceResource, StoryResource
from tests.factories import FigureFactory, ProgramFactory, StoryFactory
from tests.imports.helpers import dataset, messages, rows_to_xlsx

IMPORT_URL = reverse("admin:programs_program_import")
XLSX_FORMAT = "0"  # XLSX, XLS, ODS, CSV


def program_rows(county, *extra, **changes):
    row = {
        "网址标识": "gangnan-bamboo",
        "标题": "港南区竹编合作社",
        "地区代码": county.code,
        "类别": "产业扶贫",
        "摘要": "竹编带动两百户增收。",
        **changes,
    }
    return [list(row), list(row.values()), *extra]


def figure_rows(*rows):
    return [["项目", "指标", "数值", "年份"], *rows]


@pytest.fixture
def program(county):
    return ProgramFactory(region=county, slug="bamboo", start_year=2016, end_year=2020)


# Plausibility -------------------------------------------------------------


def test_fewer_people_than_households_is_a_warning(program):
    rows = figure_rows(
        ["bamboo", "脱贫户数", "1200户", "2019"],
        ["bamboo", "脱贫人口", "800人", "2019"],
    )
    result = FigureResource().import_data(dataset(rows))

    assert not result.has_validation_errors(), messages(result)
    assert Figure.objects.count() == 2
    assert result.warnings == [
        "第3行，“数值”：800人少于同期的“脱贫户数”1200户（第2行），"
        "人数不应少于户数，请核对"
    ]


def test_households_compared_with_people_already_stored(program):
    FigureFactory(program=program, indicator="脱贫人口", value=2, unit="万人")
    FigureFactory(program=program, indicator="脱贫人口", value=9, year=2019)
    rows = figure_rows(["bamboo", "脱贫户数", "2.5万户", "2018"])
    result = FigureResource().import_data(dataset(rows))

    assert result.warnings == [
        "第2行，“数值”：2.5万户多于同期的“脱贫人口”2万人（已有数据），"
        "户数不应多于人数，请核对"
    ]


def test_assistance_covering_fewer_people_than_households(demo):
    story = Story.objects.get(slug="jindong-schoolboy-grandparents")
    rows = [
        ["故事", "序号", "帮扶措施", "金额", "覆盖人数"],
        [story.slug, "98", "产业奖补", "12户", "5"],
    ]
    result = AssistanceResource().import_data(dataset(rows))

    assert not result.has_validation_errors(), messages(result)
    assert result.warnings == [
        "第2行，“覆盖人数”：5人少于“金额”的12户，人数不应少于户数，请核对"
    ]


def test_a_share_over_100_percent_is_a_warning(program):
    rows = figure_rows(
        ["bamboo", "贫困发生率", "120%", "2019"],
        ["bamboo", "入学率", "99.5%", "2019"],
    )
    result = FigureResource().import_data(dataset(rows))

    assert Figure.objects.get(indicator="贫困发生率").value == 120
    assert result.warnings == ["第2行，“数值”：120%超过100%，请核对"]


def test_a_year_outside_the_program_period_is_a_warning(program):
    rows = figure_rows(
        ["bamboo", "带动户数", "120户", "2015"],
        ["bamboo", "带动人数", "300人", "2018"],
    )
    result = FigureResource().import_data(dataset(rows))

    assert result.warnings == [
        f"第2行，“年份”：2015年不在项目“{program.title}”的实施期"
        "（2016—2020）之内，请核对"
    ]


def test_a_program_period_leaving_out_its_figures_is_a_warning(program):
    FigureFactory(program=program, year=2017)
    rows = [["网址标识", "起始年份"], ["bamboo", "2018"]]
    result = ProgramResource().import_data(dataset(rows))

    assert result.warnings == [
        "第2行，“起始年份”：项目已有2017年的数据，不在实施期（2018—2020）之内，请核对"
    ]


def test_a_tenfold_jump_year_on_year_is_a_warning(program):
    FigureFactory(program=program, indicator="网络零售额", value=2680, unit="万元")
    rows = figure_rows(
        ["bamboo", "网络零售额", "3.1亿元", "2019"],
        ["bamboo", "网络零售额", "3亿元", "2020"],
        ["bamboo", "带动户数", "20户", "2019"],
        ["bamboo", "带动户数", "300户", "2020"],
    )
    result = FigureResource().import_data(dataset(rows))

    assert Figure.objects.filter(program=program).count() == 5
    assert result.warnings == [
        "第2行，“数值”：3.1亿元与2018年的“网络零售额”2680万元（已有数据）"
        "相差12倍，请核对",
        "第5行，“数值”：300户与2019年的“带动户数”20户（第4行）相差15倍，请核对",
    ]


def test_warnings_do_not_block_all_or_nothing(program):
    rows = figure_rows(["bamboo", "贫困发生率", "300%", "2030"])
    result = FigureResource().import_data(dataset(rows), dry_run=True)

    assert not result.has_validation_errors() and not result.has_errors()
    assert len(result.warnings) == 3


# Deleted items ------------------------------------------------------------


def delete_through_the_admin(obj, user=None):
    snapshot_before_delete(obj, user)
    obj.delete()


def test_an_old_file_does_not_bring_back_a_deleted_program(county, editor):
    ProgramResource().import_data(dataset(program_rows(county)))
    delete_through_the_admin(Program.objects.get(), editor)

    result = ProgramResource().import_data(dataset(program_rows(county)))

    assert result.has_validation_errors()
    [message] = messages(result)
    assert message.startswith(
        "第2行，“网址标识”：重新创建已删除的扶贫项目“港南区竹编合作社”（"
    )
    assert "重新创建已删除的内容" in message
    assert not Program.objects.exists()


def test_a_deleted_program_matched_by_title_and_region_is_refused(county):
    ProgramFactory(region=county, title="港南区竹编合作社", slug="old-slug")
    delete_through_the_admin(Program.objects.get())
    rows = program_rows(county)
    del rows[0][0], rows[1][0]

    result = ProgramResource(only_valid=True).import_data(dataset(rows))

    assert "重新创建已删除的扶贫项目“港南区竹编合作社”" in result.dropped[0]
    assert not Program.objects.exists()


def test_an_explicit_choice_recreates_the_deleted_program(county, editor):
    ProgramResource().import_data(dataset(program_rows(county)))
    delete_through_the_admin(Program.objects.get(), editor)

    result = ProgramResource(allow_recreate=True, user=editor).import_data(
        dataset(program_rows(county)), file_name="old.xlsx"
    )

    assert result.totals["new"] == 1
    assert "重新创建已删除的扶贫项目“港南区竹编合作社”" in result.warnings[0]
    program = Program.objects.get()
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.IMPORT).first()
    assert entry.object_id == str(program.pk)
    assert "old.xlsx" in entry.message and "重新创建" in entry.message


def test_an_old_file_does_not_bring_back_a_deleted_story(county):
    story = StoryFactory(region=county, slug="old-story")
    rows = [["网址标识", "标题"], ["old-story", story.title]]
    delete_through_the_admin(story)

    result = StoryResource().import_data(dataset(rows))

    assert "重新创建已删除的人物故事" in messages(result)[0]
    assert not Story.objects.exists()


def test_an_item_still_there_is_updated_not_recreated(county):
    kept = ProgramFactory(region=county, slug="gangnan-bamboo")
    snapshot_before_delete(kept, None)  # a deletion that did not happen
    result = ProgramResource().import_data(dataset(program_rows(county)))

    assert result.totals["update"] == 1 and not result.has_validation_errors()


# The trail ----------------------------------------------------------------


def import_entries():
    return AuditEntry.objects.filter(action=AuditEntry.Action.IMPORT)


def test_an_import_leaves_a_version_and_an_audit_entry_naming_the_file(
    county, importer
):
    ProgramResource(user=importer).import_data(
        dataset(program_rows(county)), file_name="programs.xlsx"
    )
    program = Program.objects.get()

    [entry] = import_entries()
    assert entry.object_id == str(program.pk)
    assert entry.username == "importer"
    assert entry.message == "从文件“programs.xlsx”导入（新建）"
    [version] = Version.objects.get_for_object(program)
    assert version.revision.comment == entry.message
    assert version.revision.user == importer


def test_an_unchanged_row_gets_no_version_no_entry_and_keeps_its_lock_version(
    county,
):
    ProgramResource().import_data(dataset(program_rows(county)), file_name="a.csv")
    before = Program.objects.get().lock_version

    ProgramResource().import_data(dataset(program_rows(county)), file_name="a.csv")

    assert Program.objects.get().lock_version == before
    assert import_entries().count() == 1
    assert Version.objects.get_for_object(Program.objects.get()).count() == 1


def test_a_changed_row_is_versioned_once_and_keeps_its_status(county, importer):
    program = ProgramFactory(region=county, slug="gangnan-bamboo")
    other = ProgramFactory(region=county, slug="untouched")
    before = Program.objects.get(pk=program.pk).lock_version
    rows = program_rows(
        county,
        ["untouched", other.title, county.code, "教育扶贫", other.summary, "草稿"],
        状态="草稿",
    )
    ProgramResource(user=importer).import_data(dataset(rows), file_name="b.xlsx")

    program.refresh_from_db()
    other.refresh_from_db()
    assert program.status == Program.Status.PUBLISHED
    assert program.summary == "竹编带动两百户增收。"
    assert program.lock_version == before + 1
    assert other.lock_version == 1 and other.status == Program.Status.PUBLISHED
    versions = Version.objects.get_for_object(program)
    assert [v.revision.comment for v in versions] == [
        "从文件“b.xlsx”导入（修改）",
        "导入前的版本",
    ]
    assert versions[1].field_dict["summary"] == "项目摘要。"
    assert not Version.objects.get_for_object(other).exists()
    assert [e.object_id for e in import_entries()] == [str(program.pk)]


def test_imported_figures_version_their_program_with_its_lines(program):
    rows = figure_rows(
        ["bamboo", "带动户数", "120户", "2018"],
        ["bamboo", "带动人数", "300人", "2018"],
    )
    before = Program.objects.get(pk=program.pk).lock_version
    FigureResource().import_data(dataset(rows), file_name="figures.csv")

    program.refresh_from_db()
    assert program.lock_version == before
    [entry] = import_entries()
    assert entry.object_id == str(program.pk)
    assert entry.message == "从文件“figures.csv”导入数据 2 条"
    version = Version.objects.get_for_object(program).first()
    lines = version.revision.version_set.filter(
        content_type__model="figure"
    ).values_list("object_repr", flat=True)
    assert sorted(lines) == ["带动人数 300人", "带动户数 120户"]


def test_a_dry_run_and_a_refused_file_leave_no_trail(county):
    ProgramResource().import_data(dataset(program_rows(county)), dry_run=True)
    bad = program_rows(county, ["other", "标题", "999999", "产业扶贫", "摘要。"])
    ProgramResource().import_data(dataset(bad))

    assert not Program.objects.exists()
    assert not import_entries().exists() and not Version.objects.exists()


# Hostile files ------------------------------------------------------------


def xlsx_with_sheet(write_sheet) -> bytes:
    """A real workbook whose first sheet is replaced by what write_sheet
    writes into the archive, compressed as it goes."""
    real = zipfile.ZipFile(io.BytesIO(rows_to_xlsx([["网址标识"], ["x"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in real.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with archive.open(info.filename, "w", force_zip64=True) as member:
                    write_sheet(member)
            else:
                archive.writestr(info, real.read(info.filename))
    return out.getvalue()


def zeros(member) -> None:
    block = b"0" * (1024 * 1024)
    for _ in range(200):  # 200 MB, never held uncompressed
        member.write(block)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>
</sheetData></worksheet>"""


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    return xlsx_with_sheet(zeros)


@pytest.fixture
def xml_bomb() -> bytes:
    return xlsx_with_sheet(lambda member: member.write(BILLION_LAUGHS))


def ods_with_content(content: bytes) -> bytes:
    real = zipfile.ZipFile(io.BytesIO(ODS().export_data(dataset([["a"], ["b"]]))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in real.infolist():
            data = content if info.filename == "content.xml" else real.read(info)
            archive.writestr(info, data)
    return out.getvalue()


def test_the_zip_bomb_is_small_and_refused_before_it_is_unpacked(zip_bomb):
    assert len(zip_bomb) < 1024 * 1024
    with pytest.raises(SpreadsheetError, match="文件解压后过大"):
        XLSX().create_dataset(zip_bomb)


@pytest.mark.parametrize(
    ("file_format", "make"),
    [
        (XLSX, lambda: xlsx_with_sheet(lambda member: member.write(BILLION_LAUGHS))),
        (ODS, lambda: ods_with_content(BILLION_LAUGHS)),
    ],
    ids=["xlsx", "ods"],
)
def test_an_xml_bomb_is_refused_by_defusedxml(file_format, make):
    with pytest.raises(SpreadsheetError, match="DTD 或实体"):
        file_format().create_dataset(make())


def upload(client, data: bytes, name: str):
    return client.post(
        IMPORT_URL,
        {
            "resource": "0",
            "format": XLSX_FORMAT,
            "mode": "all",
            "import_file": SimpleUploadedFile(name, data),
        },
    )


@pytest.mark.parametrize(
    ("bomb", "expected"),
    [("zip_bomb", "文件解压后过大"), ("xml_bomb", "DTD 或实体")],
)
def test_bombs_uploaded_to_the_admin_get_a_chinese_message(
    client, importer, request, bomb, expected
):
    client.force_login(importer)
    response = upload(client, request.getfixturevalue(bomb), "programs.xlsx")

    assert response.status_code == 200
    content = response.content.decode()
    assert expected in content and "Traceback" not in content
    assert "confirm_form" not in response.context
    assert not Program.objects.exists() and not AuditEntry.objects.exists()


# All or nothing, even when the database fails -------------------------------


def three_programs(county):
    return [
        ["网址标识", "标题", "地区代码", "类别", "摘要", "起始年份", "结束年份"],
        *(
            [f"p{n}", f"项目{n}", county.code, "产业扶贫", "摘要。", "2016", "2020"]
            for n in range(1, 5)
        ),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_database_failure_on_the_third_row_writes_nothing(county, monkeypatch):
    saved = []
    real_save = Program.save

    def failing_save(self, *args, **kwargs):
        saved.append(self.slug)
        if len(saved) == 3:
            raise IntegrityError("duplicate key value violates unique constraint")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Program, "save", failing_save)
    result = ProgramResource().import_data(
        dataset(three_programs(county)), file_name="p.xlsx"
    )

    assert saved == ["p1", "p2", "p3", "p4"]
    assert result.has_errors()
    assert "第4行：无法保存" in messages(result)[0]
    assert not Program.objects.exists()
    assert not AuditEntry.objects.exists() and not Version.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_database_constraint_validation_missed_writes_nothing(county, monkeypatch):
    """The database itself refuses the third row (ends before it starts), as
    if validation had missed it: the two rows before it are not kept."""
    rows = three_programs(county)
    rows[3][-1] = "2010"
    monkeypatch.setattr(
        ProgramResource,
        "validate_instance",
        lambda self, instance, errors=None, validate_unique=True: None,
    )
    result = ProgramResource().import_data(dataset(rows))

    assert result.has_errors()
    assert not Program.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_only_valid_mode_still_rolls_back_on_a_database_failure(county, monkeypatch):
    real_save = Program.save

    def failing_save(self, *args, **kwargs):
        if self.slug == "p3":
            raise IntegrityError("boom")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Program, "save", failing_save)
    result = ProgramResource(only_valid=True).import_data(
        dataset(three_programs(county))
    )

    assert result.has_errors()
    assert not Program.objects.exists()


def test_a_refused_figures_file_changes_no_figure(program):
    FigureFactory(program=program, indicator="带动户数", value=Decimal(100), unit="户")
    rows = figure_rows(
        ["bamboo", "带动户数", "120户", "2018"],
        ["missing", "带动人数", "300人", "2018"],
    )
    result = FigureResource().import_data(dataset(rows))

    assert result.has_validation_errors()
    assert Figure.objects.get().value == 100
    assert not import_entries().exists()


def test_an_admin_import_leaves_the_trail_once_confirmed(client, importer, county):
    client.force_login(importer)
    preview = client.post(
        IMPORT_URL,
        {
            "resource": "0",
            "format": XLSX_FORMAT,
            "mode": "all",
            "import_file": SimpleUploadedFile(
                "县里的项目.xlsx", rows_to_xlsx(program_rows(county))
            ),
        },
    )
    assert not import_entries().exists() and not Version.objects.exists()
    form = preview.context["confirm_form"]
    client.post(
        reverse("admin:programs_program_process_import"),
        {name: form.initial[name] for name in form.fields},
    )

    [entry] = import_entries()
    assert entry.user == importer
    assert entry.message == "从文件“县里的项目.xlsx”导入（新建）"
    assert Version.objects.get_for_object(Program.objects.get()).count() == 1
