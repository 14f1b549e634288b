"""Preview on one app server, confirm on another: the upload waits in the
database, so the servers share nothing but it."""

import html
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.test import Client

from imports.models import ImportBatch, ImportUpload
from programs.models import Program
from tests.conftest import ensure_newsroom_groups
from tests.imports.conftest import ensure_importers_group
from tests.imports.test_admin import confirm, program_csv, upload
from tests.servers import Browser, app_servers, csrf_token, log_in, needs_postgresql

BASE_DIR = Path(django_settings.BASE_DIR)


def files_in(folder: Path) -> list[str]:
    return [str(p) for p in folder.rglob("*") if p.is_file()]


def copies_of(data: bytes, folder: Path) -> list[str]:
    """Files under `folder` that hold the uploaded file (or its first line)."""
    head = data[:60]
    return [str(p) for p in folder.rglob("*") if p.is_file() and head in p.read_bytes()]


def server_disks(settings, folder: Path) -> None:
    """Point this "server" at its own private and temporary folders."""
    (folder / "tmp").mkdir(parents=True, exist_ok=True)
    settings.STORAGES = {
        **settings.STORAGES,
        "import_export": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folder / "private"},
        },
    }
    settings.MEDIA_ROOT = folder / "media"
    tempfile.tempdir = str(folder / "tmp")


@contextmanager
def one_server_then_another(settings, folder: Path, user):
    """A logged-in client on "server A"; `switch()` removes A's disk (the
    server is gone, with everything it had there) and gives a client on
    "server B", with disks of its own."""
    saved_tempdir = tempfile.tempdir
    first, second = folder / "server-a", folder / "server-b"

    def client_on(disk: Path) -> Client:
        server_disks(settings, disk)
        client = Client()
        client.force_login(user)
        return client

    def switch() -> Client:
        shutil.rmtree(first)
        return client_on(second)

    try:
        yield client_on(first), switch, second
    finally:
        tempfile.tempdir = saved_tempdir


def test_a_preview_made_on_one_server_is_confirmed_on_another_without_its_disk(
    importer, county, settings, tmp_path
):
    with one_server_then_another(settings, tmp_path, importer) as (
        on_a,
        switch,
        second,
    ):
        preview = upload(on_a, program_csv(county))
        assert preview.context["confirm_form"]
        response = confirm(switch(), preview)

    assert response.status_code == 302
    assert Program.objects.get().slug == "gangnan-bamboo"
    assert ImportBatch.objects.get().status == ImportBatch.Status.DONE
    assert files_in(second) == [] and not ImportUpload.objects.exists()


def confirm_fields(page: str) -> dict:
    form = page[page.index('action="/admin/programs/program/process_import/"') :]
    form = form[: form.index("</form>")]
    return {
        name: html.unescape(value)
        for name, value in re.findall(r'name="([^"]+)" value="([^"]*)"', form)
    }


@pytest.fixture
def two_servers(transactional_db, tmp_path):
    """Two gunicorn processes on the test database, each with its own private
    folder and its own temporary folder, and nothing else in common."""
    with app_servers(tmp_path) as urls:
        yield urls


@needs_postgresql
def test_two_server_processes_preview_on_one_and_confirm_on_the_other(
    two_servers, county
):
    (server_a, disk_a), (server_b, disk_b) = two_servers
    # Hashed as the servers hash (the tests' faster hasher is not theirs).
    user = get_user_model().objects.create(
        username="importer",
        password=make_password("pw-for-tests-only", hasher="pbkdf2_sha256"),
        is_staff=True,
    )
    ensure_newsroom_groups()
    user.groups.add(Group.objects.get(name="编辑"), ensure_importers_group())
    browser = Browser()
    log_in(browser, server_a, "importer")

    page = browser.get(server_a + "/admin/programs/program/import/")
    data = program_csv(county)
    status, preview = browser.post(
        server_a + "/admin/programs/program/import/",
        {
            "csrfmiddlewaretoken": csrf_token(page),
            "resource": "0",
            "format": "3",
            "mode": "all",
        },
        files={"import_file": ("programs.csv", data)},
    )
    assert status == 200 and "新增 1 行" in preview
    assert not Program.objects.exists()

    status, _body = browser.post(
        server_b + "/admin/programs/program/process_import/", confirm_fields(preview)
    )

    assert status == 302
    assert Program.objects.get().title == "港南区竹编合作社（王𠮷）"
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.username) == (ImportBatch.Status.DONE, "importer")
    # Neither server kept the file (or any copy of it) on its disk.
    assert copies_of(data, disk_a) == [] and copies_of(data, disk_b) == []


def test_an_error_workbook_made_on_one_server_downloads_from_another(
    importer, county, settings, tmp_path
):
    from tests.imports.test_workbooks import TEMPLATE_URL, fill, load, two_programs
    from tests.imports.test_workbooks import upload as upload_workbook

    settings.IMPORT_ERROR_WORKBOOK_INLINE_BYTES = 0  # kept, not inlined
    with one_server_then_another(settings, tmp_path, importer) as (
        on_a,
        switch,
        second,
    ):
        template = on_a.get(TEMPLATE_URL).content
        url = upload_workbook(on_a, fill(template, two_programs(county))).context[
            "error_workbook_url"
        ]
        download = switch().get(url)

    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "找不到区划代码" in load(download.content).active.cell(3, 14).value
    assert files_in(second) == [] and not ImportUpload.objects.exists()
