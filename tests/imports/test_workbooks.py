"""The template an office fills in, the sheet it gets back after a failed
preview, and what the preview shows before anything is written."""

import base64
import io
import os
import re

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from programs.models import Program
from programs.resources import FigureResource, ProgramResource, RegionResource
from programs.spreadsheets import XLSX
from programs.workbooks import (
    NOTES_COLUMN,
    build_template,
    error_workbooks,
    ignoring_notes,
)
from stories.models import Cause
from stories.resources import AssistanceResource, PersonResource, StoryResource
from tests.factories import ProgramFactory, StoryFactory
from tests.imports.helpers import messages, rows_to_csv

RESOURCES = [
    RegionResource,
    ProgramResource,
    FigureResource,
    StoryResource,
    PersonResource,
    AssistanceResource,
]
XLSX_FORMAT, CSV_FORMAT = "0", "3"
IMPORT_URL = reverse("admin:programs_program_import")
TEMPLATE_URL = reverse("admin:programs_program_import_template")
CONFIRM_URL = reverse("admin:programs_program_process_import")


def load(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def headers(sheet) -> list[str]:
    return [c.value for c in sheet[1] if c.value is not None]


def fill(template: bytes, rows: list[dict]) -> bytes:
    """The template with its example replaced by these rows (by column name)."""
    book = load(template)
    sheet = book.worksheets[0]
    columns = {c.value: c.column for c in sheet[1]}
    sheet.delete_rows(2, sheet.max_row)
    for line, row in enumerate(rows, start=2):
        for column, value in row.items():
            sheet.cell(row=line, column=columns[column], value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, data, name="programs.xlsx", fmt=XLSX_FORMAT, mode="all"):
    return client.post(
        IMPORT_URL,
        {
            "resource": "0",
            "format": fmt,
            "mode": mode,
            "import_file": SimpleUploadedFile(name, data),
        },
    )


def confirm_data(response) -> dict:
    form = response.context["confirm_form"]
    return {name: form.initial[name] for name in form.fields}


def error_workbook(client, response) -> tuple[bytes, str]:
    """The 下载带错误说明的表格 link of a preview, followed."""
    url = response.context["error_workbook_url"]
    filename = response.context["error_workbook_filename"]
    assert "下载带错误说明的表格" in response.content.decode()
    if url.startswith("data:"):
        return base64.b64decode(url.split(",", 1)[1]), filename
    download = client.get(url)
    assert download.status_code == 200
    return download.content, filename


def stored_files(directory) -> list[str]:
    return [name for _root, _dirs, files in os.walk(directory) for name in files]


def two_programs(county, bad_code="999999") -> list[dict]:
    return [
        {
            "网址标识": "bamboo",
            "标题": "竹编合作社",
            "地区代码": county.code,
            "类别": "产业扶贫",
            "摘要": "竹编带动两百户增收。",
        },
        {
            "网址标识": "tea",
            "标题": "茶园扶贫车间",
            "地区代码": bad_code,
            "类别": "产业扶贫",
            "摘要": "茶园吸纳八十人就业。",
            "起始年份": 2017,
        },
    ]


@pytest.fixture
def linked(county):
    """What example rows refer to: a program, a story and a cause."""
    ProgramFactory(region=county, slug="existing-program")
    StoryFactory(region=county, slug="existing-story")
    if not Cause.objects.exists():
        Cause.objects.create(slug="illness", name="因病", order=1)


# (a) The template ---------------------------------------------------------------


def test_the_template_has_the_chinese_headers_notes_and_an_example(
    client, importer, county
):
    client.force_login(importer)
    response = client.get(TEMPLATE_URL)

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert "%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF" in response["Content-Disposition"]
    book = load(response.content)
    assert book.sheetnames == ["扶贫项目", "填写说明", "地区代码", "选项"]
    assert book.active.title == "扶贫项目"
    assert book["选项"].sheet_state == "hidden"
    data = book["扶贫项目"]
    assert headers(data)[:4] == ["网址标识", "标题", "地区代码", "类别"]
    assert set(headers(data)) == set(ProgramResource().import_columns())
    assert "状态" not in headers(data)
    example = {h: c.value for h, c in zip(headers(data), data[2], strict=False)}
    assert example["地区代码"] == county.code and example["类别"] == "电商扶贫"
    notes = "\n".join(
        " ".join(str(v) for v in row if v) for row in book["填写说明"].values
    )
    assert "类别 必填 从下拉列表选择" in notes
    assert "产业扶贫、" in notes
    assert "4600多万元" not in notes  # programs have no quantity column
    assert "四位年份" in notes and "2019-11-06" in notes and "最多" in notes
    assert "错误说明" in notes
    regions = list(book["地区代码"].values)
    assert regions[0] == ("地区代码", "名称", "层级", "上级地区")
    assert (county.code, "港南区", "县级", "贵港市") in regions


def test_the_template_has_drop_downs_for_choices_and_region_codes(
    client, importer, county
):
    client.force_login(importer)
    book = load(client.get(TEMPLATE_URL).content)
    data = book["扶贫项目"]
    columns = {c.value: c.column_letter for c in data[1]}
    validations = {
        str(v.sqref).split(":")[0]: v for v in data.data_validations.dataValidation
    }

    category = validations[f"{columns['类别']}2"]
    assert category.type == "list" and category.errorStyle == "stop"
    sheet, cells = category.formula1.split("!")
    options = [row[0].value for row in book["选项"][cells.replace("$", "")]]
    assert sheet == "'选项'" and options[0] == "电商扶贫" and "产业扶贫" in options
    region = validations[f"{columns['地区代码']}2"]
    assert region.formula1.startswith("'地区代码'!$A$2:$A$")
    assert str(region.sqref) == f"{columns['地区代码']}2:{columns['地区代码']}5001"


def test_figures_template_explains_units_and_offers_qualifiers(client, importer):
    client.force_login(importer)
    book = load(client.get(reverse("admin:programs_figure_import_template")).content)

    assert headers(book.active)[:5] == ["项目", "指标", "数值", "单位", "修饰"]
    notes = str(list(book["填写说明"].values))
    assert "4600多万元" in notes and "万元" in notes
    assert "多" in [c.value for c in book["选项"]["A"]]


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.__name__)
def test_the_example_row_imports_cleanly(linked, resource):
    dataset = XLSX().create_dataset(build_template(resource))
    result = ignoring_notes(resource)().import_data(dataset, dry_run=True)

    assert messages(result) == []
    assert result.totals["new"] == 1, result.totals


@pytest.mark.parametrize(
    "url",
    [
        "admin:programs_region_import_template",
        "admin:programs_figure_import_template",
        "admin:stories_story_import_template",
        "admin:stories_person_import_template",
        "admin:stories_assistance_import_template",
    ],
)
def test_every_import_page_offers_its_template(client, importer, url):
    client.force_login(importer)
    page = client.get(reverse(url.replace("_template", "")))

    assert reverse(url) in page.content.decode() and "下载模板" in page.content.decode()
    assert client.get(reverse(url)).status_code == 200


def test_the_template_needs_the_import_permission(client, editor, importer):
    client.force_login(editor)
    assert client.get(TEMPLATE_URL).status_code == 403
    changelist = client.get(reverse("admin:programs_program_changelist"))
    assert TEMPLATE_URL not in changelist.content.decode()

    client.force_login(importer)
    changelist = client.get(reverse("admin:programs_program_changelist"))
    assert TEMPLATE_URL in changelist.content.decode()


# (b) The sheet back with its errors --------------------------------------------


def test_failed_preview_error_workbook_fix_and_import(
    client, importer, county, _private_upload_storage
):
    client.force_login(importer)
    template = client.get(TEMPLATE_URL).content
    preview = upload(client, fill(template, two_programs(county)))

    assert "confirm_form" not in preview.context
    assert (
        "第3行，“地区代码”：找不到区划代码为“999999”的地区" in preview.content.decode()
    )
    content, filename = error_workbook(client, preview)
    assert filename == "programs-错误说明.xlsx"
    # Built while the upload was still stored; nothing is kept now.
    assert stored_files(_private_upload_storage) == []

    book = load(content)
    assert book.sheetnames == ["扶贫项目", "填写说明", "地区代码", "选项"]
    sheet = book.active
    columns = headers(sheet)
    assert columns[-1] == NOTES_COLUMN
    assert set(columns[:-1]) == set(ProgramResource().import_columns())
    notes_column, region_column = len(columns), columns.index("地区代码") + 1
    assert sheet.cell(2, notes_column).value is None
    assert sheet.cell(3, notes_column).value == (
        "第3行，“地区代码”：找不到区划代码为“999999”的地区"
    )
    bad = sheet.cell(3, region_column)
    assert bad.value == "999999"
    assert bad.fill.fgColor.rgb.endswith("FFC7CE")
    assert "找不到区划代码" in bad.comment.text
    assert sheet.cell(2, region_column).comment is None
    assert [sheet.cell(r, 2).value for r in (2, 3)] == ["竹编合作社", "茶园扶贫车间"]
    # The drop-downs of the template survive the round trip.
    assert sheet.data_validations.dataValidation

    bad.value = county.code
    out = io.BytesIO()
    book.save(out)
    fixed = upload(client, out.getvalue(), name=filename)
    assert "confirm_form" in fixed.context, fixed.content.decode()
    assert "新增 2 行，修改 0 行，未变 0 行，有错误 0 行" in fixed.content.decode()

    response = client.post(CONFIRM_URL, confirm_data(fixed))
    assert response.status_code == 302
    assert set(Program.objects.values_list("slug", flat=True)) == {"bamboo", "tea"}
    assert stored_files(_private_upload_storage) == []


def test_a_csv_comes_back_as_xlsx_with_its_own_headers(client, importer, county):
    client.force_login(importer)
    rows = [
        ["网址标识", "项目名称", "区划代码", "类别", "摘要"],
        ["a", "甲", county.code, "产业扶贫", "=1+1"],
        ["b", "乙", "999999", "不存在的类别", "x"],
    ]
    preview = upload(client, rows_to_csv(rows, "gb18030"), "表.csv", CSV_FORMAT)
    content, filename = error_workbook(client, preview)

    assert filename == "表-错误说明.xlsx"
    sheet = load(content).active
    assert headers(sheet) == [*rows[0], NOTES_COLUMN]
    assert sheet["E2"].value == "'=1+1"  # text, not a formula
    assert sheet["C3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet["D3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert "不是可选的值" in sheet["F3"].value and "999999" in sheet["F3"].value
    assert sheet["C2"].comment is None and sheet["F2"].value is None


def test_a_sheet_still_wrong_keeps_one_notes_column_and_fresh_marks(
    client, importer, county
):
    client.force_login(importer)
    template = client.get(TEMPLATE_URL).content
    first, _ = error_workbook(
        client, upload(client, fill(template, two_programs(county)))
    )
    book = load(first)
    sheet = book.active
    columns = headers(sheet)
    # Fix the region, break the category instead.
    sheet.cell(3, columns.index("地区代码") + 1).value = county.code
    sheet.cell(3, columns.index("类别") + 1).value = "不存在的类别"
    out = io.BytesIO()
    book.save(out)

    second, _ = error_workbook(client, upload(client, out.getvalue()))
    sheet = load(second).active
    assert headers(sheet) == columns
    assert sheet.cell(3, columns.index("地区代码") + 1).comment is None
    assert sheet.cell(3, columns.index("类别") + 1).comment is not None
    assert "类别" in sheet.cell(3, len(columns)).value
    assert "地区代码" not in sheet.cell(3, len(columns)).value


def test_only_valid_rows_also_offers_the_skipped_rows_back(client, importer, county):
    client.force_login(importer)
    template = client.get(TEMPLATE_URL).content
    preview = upload(client, fill(template, two_programs(county)), mode="valid")

    assert "confirm_form" in preview.context
    content, _ = error_workbook(client, preview)
    assert "999999" in load(content).active.cell(3, 14).value


def test_a_large_error_workbook_is_kept_privately_for_one_download(
    client, importer, editor, county, settings
):
    settings.IMPORT_ERROR_WORKBOOK_INLINE_BYTES = 0
    client.force_login(importer)
    template = client.get(TEMPLATE_URL).content
    preview = upload(client, fill(template, two_programs(county)))
    url = preview.context["error_workbook_url"]

    assert url.startswith("/admin/programs/program/import-errors/")
    # In the database, where any app server finds it.
    assert error_workbooks().count() == 1
    client.force_login(editor)
    assert client.get(url).status_code == 403
    client.force_login(importer)
    download = client.get(url)
    assert download.status_code == 200
    assert "%E9%94%99%E8%AF%AF" in download["Content-Disposition"]  # 错误说明
    assert load(download.content).active.cell(3, 14).value
    assert not error_workbooks().exists()

    again = client.get(url)
    assert again.status_code == 302
    assert "已经下载过或已过期" in str(list(get_messages(again.wsgi_request))[0])
    assert client.get(url.replace("import-errors/", "import-errors/x")).status_code == (
        302
    )


def test_an_expired_error_workbook_is_swept(client, importer, county, settings):
    settings.IMPORT_ERROR_WORKBOOK_INLINE_BYTES = 0
    client.force_login(importer)
    template = client.get(TEMPLATE_URL).content
    url = upload(client, fill(template, two_programs(county))).context[
        "error_workbook_url"
    ]
    settings.IMPORT_ERROR_WORKBOOK_MAX_AGE = -1

    assert client.get(url).status_code == 302
    assert not error_workbooks().exists()


def test_the_notes_column_is_ignored_by_the_import(county):
    rows = [
        ["网址标识", "标题", "地区代码", "类别", "摘要", "错误说明"],
        ["a", "甲", county.code, "产业扶贫", "x", "第2行，旧的错误"],
    ]
    dataset = XLSX().create_dataset(fill_rows(rows))

    result = ignoring_notes(ProgramResource)().import_data(dataset)
    assert messages(result) == [] and Program.objects.get().slug == "a"


def fill_rows(rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# (c) Preview and confirmation ---------------------------------------------------


def test_the_preview_counts_and_shows_every_kind_of_row(client, importer, county):
    ProgramFactory(region=county, slug="same", title="不变", category="industry")
    ProgramFactory(region=county, slug="changed", title="旧标题", category="industry")
    same = Program.objects.get(slug="same")
    client.force_login(importer)
    rows = [
        ["网址标识", "标题", "地区代码", "类别", "摘要", "正文"],
        ["new", "新项目", county.code, "产业扶贫", "x", ""],
        [
            "changed",
            "新标题",
            county.code,
            "产业扶贫",
            "项目摘要。",
            "第一段。\n\n第二段。",
        ],
        ["same", "不变", county.code, "产业扶贫", same.summary, same.body],
        ["bad", "坏的", "999999", "产业扶贫", "x", ""],
    ]
    preview = upload(client, rows_to_csv(rows), "p.csv", CSV_FORMAT, mode="valid")
    content = preview.content.decode()

    assert "新增 1 行，修改 1 行，未变 1 行，有错误 1 行" in content
    labels = re.findall(r'<td class="import-type">(.*?)</td>', content)
    assert labels == ["新增", "修改", "未变", "有错误，跳过"]
    # django-import-export's diff of the changed title.
    assert "<del" in content and "旧" in content and "<ins" in content
    assert "第5行，“地区代码”：找不到区划代码为“999999”的地区" in content


def test_a_failed_preview_counts_its_rows_too(client, importer, county):
    client.force_login(importer)
    rows = [list(two_programs(county)[0])] + [
        list(r.values())[:5] for r in two_programs(county)
    ]
    content = upload(client, rows_to_csv(rows), "p.csv", CSV_FORMAT).content.decode()

    assert "新增 1 行，修改 0 行，未变 0 行，有错误 1 行" in content
    assert re.findall(r'<td class="import-type">(.*?)</td>', content) == [
        "新增",
        "有错误",
    ]


def test_a_confirmation_naming_another_stored_file_is_refused(
    client, importer, county, _private_upload_storage
):
    client.force_login(importer)
    rows = [list(two_programs(county)[0]), list(two_programs(county)[0].values())]
    first = confirm_data(upload(client, rows_to_csv(rows), "a.csv", CSV_FORMAT))
    second = confirm_data(upload(client, rows_to_csv(rows), "b.csv", CSV_FORMAT))

    tampered = {**second, "import_file_name": first["import_file_name"]}
    response = client.post(CONFIRM_URL, tampered)
    assert response.status_code == 302 and response.url == IMPORT_URL
    message = str(list(get_messages(response.wsgi_request))[0])
    assert "与预览时上传的文件不一致" in message
    assert not Program.objects.exists()

    for change in ({"mode": "valid"}, {"token": ""}, {"original_file_name": "c.csv"}):
        response = client.post(CONFIRM_URL, {**first, **change})
        assert response.status_code == 302 and not Program.objects.exists()

    assert client.post(CONFIRM_URL, first).status_code == 302
    assert Program.objects.count() == 1
    # The same confirmation twice: the file is gone, a message, not a 500.
    again = client.post(CONFIRM_URL, first)
    assert again.status_code == 302
    assert "找不到预览时上传的文件" in str(list(get_messages(again.wsgi_request))[-1])


def test_another_importer_cannot_confirm_my_preview(client, importer, county):
    from tests.conftest import staff_user
    from tests.imports.conftest import ensure_importers_group

    other = staff_user("importer2", "编辑")
    other.groups.add(ensure_importers_group())
    client.force_login(importer)
    rows = [list(two_programs(county)[0]), list(two_programs(county)[0].values())]
    mine = confirm_data(upload(client, rows_to_csv(rows), "a.csv", CSV_FORMAT))

    client.force_login(other)
    assert client.post(CONFIRM_URL, mine).status_code == 302
    assert not Program.objects.exists()
