"""The admin's spreadsheet flow as an editor in the group 导入 uses it."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from imports.models import ImportBatch, ImportUpload
from programs.models import Program
from tests.factories import ProgramFactory
from tests.imports.helpers import rows_to_csv

CSV_FORMAT = "3"  # XLSX, XLS, ODS, CSV
IMPORT_URL = reverse("admin:programs_program_import")


def program_csv(county, encoding="gb18030", **changes) -> bytes:
    row = {
        "网址标识": "gangnan-bamboo",
        "标题": "港南区竹编合作社（王𠮷）",
        "区划代码": county.code,
        "类别": "产业扶贫",
        "摘要": "竹编带动两百户增收。",
        **changes,
    }
    return rows_to_csv([list(row), list(row.values())], encoding)


def upload(client, data: bytes, name="programs.csv", fmt=CSV_FORMAT, mode="all"):
    return client.post(
        IMPORT_URL,
        {
            "resource": "0",
            "format": fmt,
            "mode": mode,
            "import_file": SimpleUploadedFile(name, data),
        },
    )


def confirm(client, response):
    form = response.context["confirm_form"]
    return client.post(
        reverse("admin:programs_program_process_import"),
        {name: form.initial[name] for name in form.fields},
    )


def stored_uploads(directory) -> list[str]:
    return [name for _root, _dirs, files in os.walk(directory) for name in files]


def test_upload_preview_and_confirm_creates_the_program(
    client, importer, county, _private_upload_storage
):
    client.force_login(importer)
    preview = upload(client, program_csv(county))

    assert preview.status_code == 200
    content = preview.content.decode()
    assert "新增 1 行" in content and "王𠮷" in content
    assert not Program.objects.exists()

    response = confirm(client, preview)

    assert response.status_code == 302
    assert Program.objects.get().title == "港南区竹编合作社（王𠮷）"
    assert stored_uploads(_private_upload_storage) == []


def test_the_second_upload_of_the_same_file_previews_as_unchanged(
    client, importer, county
):
    client.force_login(importer)
    confirm(client, upload(client, program_csv(county)))
    preview = upload(client, program_csv(county, encoding="utf-16"))

    assert "新增 0 行，修改 0 行，未变 1 行" in preview.content.decode()


def test_an_invalid_row_blocks_confirmation_with_a_chinese_message(
    client, importer, county, _private_upload_storage
):
    client.force_login(importer)
    response = upload(client, program_csv(county, 区划代码="999999"))
    content = response.content.decode()

    assert "confirm_form" not in response.context
    assert "第2行，“地区代码”：找不到区划代码为“999999”的地区" in content
    assert "Traceback" not in content
    assert stored_uploads(_private_upload_storage) == []


def test_only_valid_rows_lets_the_importer_confirm_the_good_ones(
    client, importer, county
):
    client.force_login(importer)
    rows = [
        ["网址标识", "标题", "地区代码", "类别", "摘要"],
        ["good", "好的", county.code, "产业扶贫", "x"],
        ["bad", "坏的", "999999", "产业扶贫", "x"],
    ]
    preview = upload(client, rows_to_csv(rows), mode="valid")

    assert "有错误、将被跳过的行" in preview.content.decode()
    confirm(client, preview)
    assert list(Program.objects.values_list("slug", flat=True)) == ["good"]


def test_random_bytes_named_xlsx_get_a_clear_message_not_a_500(
    client, importer, _private_upload_storage
):
    client.force_login(importer)
    response = upload(client, os.urandom(2048), name="data.xlsx", fmt="0")

    assert response.status_code == 200
    assert "文件已损坏" in response.content.decode()
    assert stored_uploads(_private_upload_storage) == []


def test_an_empty_file_gets_a_clear_message(client, importer):
    client.force_login(importer)
    response = upload(client, b"", name="empty.csv")
    assert "所提交的是空文件" in response.content.decode()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    client, importer, county, settings, _private_upload_storage
):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    client.force_login(importer)
    response = upload(client, program_csv(county) + b"x" * 200)

    assert "文件太大" in response.content.decode()
    assert stored_uploads(_private_upload_storage) == []


def test_an_editor_outside_the_importers_group_gets_403(client, editor):
    client.force_login(editor)
    assert client.get(IMPORT_URL).status_code == 403
    changelist = client.get(reverse("admin:programs_program_changelist"))
    assert IMPORT_URL not in changelist.content.decode()


def test_the_change_list_shows_import_export_and_recover_buttons(
    client, importer, reviewer
):
    importer.groups.add(*reviewer.groups.all())
    client.force_login(importer)
    content = client.get(reverse("admin:programs_program_changelist")).content
    content = content.decode()

    assert IMPORT_URL in content
    assert reverse("admin:programs_program_export") in content
    assert reverse("admin:programs_program_recoverlist") in content


def test_an_author_may_export_stories_but_not_import_them(client, author):
    client.force_login(author)
    assert client.get(reverse("admin:stories_story_export")).status_code == 200
    assert client.get(reverse("admin:stories_story_import")).status_code == 403


def test_export_follows_the_change_list_filters(client, editor, county):
    ProgramFactory(region=county, slug="edu", category="education")
    ProgramFactory(region=county, slug="ind", category="industry")
    client.force_login(editor)
    response = client.post(
        reverse("admin:programs_program_export") + "?category__exact=education",
        {"resource": "0", "format": CSV_FORMAT, "programresource_slug": "on"},
    )

    text = response.content.decode("utf-8-sig")
    assert response.status_code == 200
    assert "edu" in text and "ind" not in text


def test_manage_py_import_and_export_use_the_resources(tmp_path, county, capsysbinary):
    path = tmp_path / "programs.csv"
    path.write_bytes(program_csv(county))
    args = ["programs.resources.ProgramResource", str(path)]
    call_command("import", *args, "--format", "programs.spreadsheets.CSV", "--noinput")
    call_command("import", *args, "--format", "programs.spreadsheets.CSV", "--noinput")
    assert Program.objects.count() == 1

    call_command("export", "CSV", "programs.resources.ProgramResource")
    assert "港南区竹编合作社" in capsysbinary.readouterr().out.decode("utf-8")


@pytest.mark.parametrize(
    "url",
    [
        "admin:programs_region_import",
        "admin:programs_figure_import",
        "admin:stories_person_import",
        "admin:stories_assistance_import",
        "admin:stories_story_import",
    ],
)
def test_every_reported_model_has_an_import_page(client, importer, url):
    client.force_login(importer)
    assert client.get(reverse(url)).status_code == 200


def test_a_deleted_program_comes_back_only_when_the_importer_says_so(
    client, importer, reviewer, county
):
    program = ProgramFactory(region=county, slug="gangnan-bamboo", status="draft")
    client.force_login(reviewer)
    delete_url = reverse("admin:programs_program_delete", args=[program.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Program.objects.exists()

    client.force_login(importer)
    refused = upload(client, program_csv(county))
    assert "重新创建已删除的扶贫项目" in refused.text
    assert "confirm_form" not in refused.context or not refused.context["confirm_form"]

    allowed = client.post(
        IMPORT_URL,
        {
            "resource": "0",
            "format": CSV_FORMAT,
            "mode": "all",
            "allow_recreate": "on",
            "import_file": SimpleUploadedFile("programs.csv", program_csv(county)),
        },
    )
    assert confirm(client, allowed).status_code == 302
    assert Program.objects.get().slug == "gangnan-bamboo"


def test_an_abandoned_upload_is_deleted_after_an_hour(
    client, importer, county, _private_upload_storage
):
    client.force_login(importer)
    preview = upload(client, program_csv(county))
    assert preview.context["confirm_form"]
    # The file waits in the database (any app server may confirm), not on disk.
    assert stored_uploads(_private_upload_storage) == []
    [waiting] = ImportUpload.objects.all()
    # Nobody confirms. An hour and a bit later, the next visit sweeps it away.
    an_hour_ago = timezone.now() - timezone.timedelta(seconds=3700)
    ImportUpload.objects.update(created_at=an_hour_ago)
    ImportBatch.objects.update(created_at=an_hour_ago)
    assert client.get(IMPORT_URL).status_code == 200
    assert not ImportUpload.objects.exists() and not ImportBatch.objects.exists()


def test_an_export_is_named_in_chinese_with_the_date(client, editor, county):
    ProgramFactory(region=county)
    client.force_login(editor)
    response = client.post(
        reverse("admin:programs_program_export"),
        {"resource": "0", "format": CSV_FORMAT, "programresource_slug": "on"},
    )
    disposition = response.headers["Content-Disposition"]
    # RFC 6266: browsers save it as 扶贫项目-<date>.csv.
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert "%E6%89%B6%E8%B4%AB%E9%A1%B9%E7%9B%AE-" in disposition
    assert disposition.endswith(".csv")
