"""Importing a spreadsheet in a real browser, as a county office would: template,
a mistake, the sheet back with its errors explained, the fix, the import.

Screenshots go to pytest's tmp_path (and BROWSER_SHOTS_DIR if set).
"""

import openpyxl
import pytest
from django.urls import reverse

from programs.models import Program
from tests.browser.test_workflow import Camera
from tests.conftest import staff_user
from tests.factories import RegionFactory
from tests.imports.conftest import ensure_importers_group

pytestmark = pytest.mark.browser

XLSX_FORMAT = "0"


@pytest.fixture
def site(live_server, transactional_db):
    return live_server.url


@pytest.fixture
def importer(transactional_db):
    user = staff_user("importer", "编辑")
    user.groups.add(ensure_importers_group())
    return user


@pytest.fixture
def county(transactional_db):
    province = RegionFactory(name="广西壮族自治区", code="450000", level=1)
    prefecture = RegionFactory(name="贵港市", code="450800", level=2, parent=province)
    return RegionFactory(name="港南区", code="450803", level=3, parent=prefecture)


@pytest.fixture(autouse=True)
def _private_upload_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "import_export": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "imports"},
        },
    }


def download(page, link, folder, name) -> openpyxl.Workbook:
    with page.expect_download() as info:
        link.click()
    path = folder / name
    info.value.save_as(path)
    assert info.value.suggested_filename == name
    return openpyxl.load_workbook(path)


def upload(page, path) -> None:
    page.locator("#id_import_file").set_input_files(str(path))
    page.locator("#id_format").select_option(XLSX_FORMAT)
    page.locator("form input[type=submit]").click()


def test_an_importer_fixes_a_bad_row_with_the_error_workbook(
    visitors, site, importer, county, tmp_path
):
    from playwright.sync_api import expect

    camera = Camera(tmp_path, "imports")
    page = visitors.logged_in(importer)
    page.goto(site + reverse("admin:programs_program_import"))
    template_link = page.get_by_role("link", name="下载模板")
    expect(template_link).to_be_visible()
    camera(page, "import-page", narrow=True)

    # The template, filled in with two rows: the second has a code that
    # does not exist.
    book = download(page, template_link, tmp_path, "扶贫项目-导入模板.xlsx")
    sheet = book["扶贫项目"]
    assert "填写说明" in book.sheetnames
    columns = {c.value: c.column for c in sheet[1]}
    sheet.delete_rows(2, sheet.max_row)
    rows = [
        ("bamboo", "竹编合作社", county.code, "产业扶贫", "竹编带动两百户增收。"),
        ("tea", "茶园扶贫车间", "999999", "产业扶贫", "茶园吸纳八十人就业。"),
    ]
    for line, row in enumerate(rows, start=2):
        for column, value in zip(
            ("网址标识", "标题", "地区代码", "类别", "摘要"), row, strict=True
        ):
            sheet.cell(row=line, column=columns[column], value=value)
    filled = tmp_path / "programs.xlsx"
    book.save(filled)

    upload(page, filled)
    expect(page.locator(".import-errors")).to_contain_text(
        "第3行，“地区代码”：找不到区划代码为“999999”的地区"
    )
    expect(page.locator(".import-totals")).to_contain_text("有错误 1 行")
    camera(page, "preview-with-error", narrow=True)
    assert not Program.objects.exists()

    # The sheet back, with the bad cell marked and the reason in 错误说明.
    book = download(
        page,
        page.get_by_role("link", name="下载带错误说明的表格"),
        tmp_path,
        "programs-错误说明.xlsx",
    )
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    assert headers[-1] == "错误说明"
    assert "999999" in sheet.cell(3, len(headers)).value
    assert sheet.cell(2, len(headers)).value is None
    bad = sheet.cell(3, headers.index("地区代码") + 1)
    assert bad.comment is not None and bad.value == "999999"
    bad.value = county.code
    fixed = tmp_path / "programs-fixed.xlsx"
    book.save(fixed)

    page.goto(site + reverse("admin:programs_program_import"))
    upload(page, fixed)
    expect(page.locator(".import-totals")).to_contain_text(
        "新增 2 行，修改 0 行，未变 0 行，有错误 0 行"
    )
    expect(page.locator("td.import-type")).to_have_text(["新增", "新增"])
    camera(page, "preview-fixed", narrow=True)

    page.locator("input[name=confirm]").click()
    expect(page.locator(".messagelist")).to_contain_text("导入完成：新增 2 条")
    camera(page, "imported", narrow=True)
    assert set(Program.objects.values_list("slug", "region__code")) == {
        ("bamboo", county.code),
        ("tea", county.code),
    }
