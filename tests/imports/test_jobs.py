"""Large files are checked and imported by a worker process
(manage.py run_import_jobs), with their progress on the batch's admin page
and a progress bar on the command line."""

import io

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from imports import recording
from imports.models import ImportBatch
from imports.services import claim_next_job, create_batch, run_batch, sweep_abandoned
from programs.models import Figure, Program
from programs.resources import FigureResource
from programs.spreadsheets import CSV
from tests.factories import ProgramFactory
from tests.imports.helpers import rows_to_csv
from tests.imports.test_admin import program_csv, upload


@pytest.fixture
def small_inline_limit(settings):
    """Every file counts as large: it goes to the worker."""
    settings.IMPORT_INLINE_MAX_BYTES = 10


def batch_url(batch, name="change"):
    return reverse(f"admin:imports_importbatch_{name}", args=[batch.pk])


def figure_rows(program, n: int, bad: int = 0) -> list[list]:
    rows = [["项目", "指标", "数值", "年份"]]
    rows += [[program.slug, f"指标{i}", f"{i + 1}户", "2019"] for i in range(n)]
    rows += [[program.slug, f"坏{i}", "不是数字", "2019"] for i in range(bad)]
    return rows


def test_a_large_upload_is_queued_for_the_worker_not_read_in_the_request(
    client, importer, county, small_inline_limit
):
    client.force_login(importer)
    response = upload(client, program_csv(county))

    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == batch_url(batch)
    assert (batch.status, batch.task) == ("queued", "preview")
    page = client.get(batch_url(batch)).text
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "排队等候后台导入进程处理" in page
    assert not Program.objects.exists()


def test_the_worker_checks_then_imports_after_the_importer_confirms(
    client, importer, county, small_inline_limit
):
    client.force_login(importer)
    upload(client, program_csv(county))

    call_command("run_import_jobs", "--once", stdout=io.StringIO())

    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.PREVIEWED and batch.new_count == 1
    page = client.get(batch_url(batch)).text
    assert "确认导入" in page and 'http-equiv="refresh"' not in page
    assert not Program.objects.exists()

    client.post(batch_url(batch, "confirm"))
    batch.refresh_from_db()
    assert (batch.status, batch.task) == ("queued", "import")
    call_command("run_import_jobs", "--once", stdout=io.StringIO())

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert Program.objects.get().slug == "gangnan-bamboo"
    assert batch.rows.get().object_id == Program.objects.get().pk
    assert batch.upload is None


def test_a_small_preview_is_confirmed_from_its_batch_page_at_once(
    client, importer, county
):
    client.force_login(importer)
    upload(client, program_csv(county))
    batch = ImportBatch.objects.get(status="previewed")

    client.post(batch_url(batch, "confirm"))

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert Program.objects.exists()


def test_only_the_importer_who_uploaded_a_file_confirms_it(
    client, importer, county, small_inline_limit
):
    client.force_login(importer)
    upload(client, program_csv(county))
    call_command("run_import_jobs", "--once", stdout=io.StringIO())
    batch = ImportBatch.objects.get()
    from tests.conftest import staff_user
    from tests.imports.conftest import ensure_importers_group

    colleague = staff_user("importer2", "编辑")
    colleague.groups.add(ensure_importers_group())
    other = Client()
    other.force_login(colleague)

    response = other.post(batch_url(batch, "confirm"), follow=True)

    assert "不是你上传的" in response.text
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED


def test_a_file_with_errors_is_refused_by_the_worker_with_its_messages(
    client, importer, county, small_inline_limit
):
    client.force_login(importer)
    upload(client, program_csv(county, 区划代码="999999"))

    call_command("run_import_jobs", "--once", stdout=io.StringIO())

    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.FAILED
    page = client.get(batch_url(batch)).text
    assert "第2行，“地区代码”：找不到区划代码为“999999”的地区" in page
    assert batch_url(batch, "confirm") not in page
    # Nothing to confirm, so the file is not kept.
    assert batch.upload is None


def test_progress_is_reported_as_the_rows_go(importer, county, monkeypatch):
    monkeypatch.setattr(recording.Progress, "every", 10)
    monkeypatch.setattr(recording.Progress, "seconds", 0)
    program = ProgramFactory(region=county)
    data = rows_to_csv(figure_rows(program, 45, bad=2))
    batch = create_batch(
        resource_class=FigureResource,
        user=importer,
        file_name="figures.csv",
        data=data,
        file_format=CSV,
        policy="valid",
    )
    seen = []

    run_batch(batch, progress=lambda *report: seen.append(report))

    assert seen[0] == (10, 47, 0)
    assert seen[-1] == (47, 47, 2)
    assert [done for done, _t, _e in seen] == sorted(done for done, _t, _e in seen)
    batch.refresh_from_db()
    assert (batch.rows_done, batch.total_rows, batch.new_count) == (47, 47, 45)
    assert (batch.skipped_count, batch.invalid_count) == (2, 2)


def test_the_progress_page_shows_rows_done_and_errors_so_far(client, importer, county):
    program = ProgramFactory(region=county)
    batch = create_batch(
        resource_class=FigureResource,
        user=importer,
        file_name="figures.csv",
        data=rows_to_csv(figure_rows(program, 3)),
        file_format=CSV,
        status=ImportBatch.Status.RUNNING,
    )
    ImportBatch.objects.filter(pk=batch.pk).update(
        total_rows=100000, rows_done=42000, invalid_count=7
    )
    client.force_login(importer)

    page = client.get(batch_url(batch)).text

    assert '<progress value="42000" max="100000">42%</progress>' in page
    assert "导入：已处理 42000 / 100000 行，目前有错误 7 行" in page
    assert '<meta http-equiv="refresh" content="3">' in page
    listing = client.get(reverse("admin:imports_importbatch_changelist")).text
    assert "进行中（42%）" in listing


def test_two_workers_never_take_the_same_job(importer, county):
    program = ProgramFactory(region=county)
    for name in ("a.csv", "b.csv"):
        create_batch(
            resource_class=FigureResource,
            user=importer,
            file_name=name,
            data=rows_to_csv(figure_rows(program, 1)),
            file_format=CSV,
            status=ImportBatch.Status.QUEUED,
        )

    first, second = claim_next_job(), claim_next_job()

    assert (first.file_name, second.file_name) == ("a.csv", "b.csv")
    assert claim_next_job() is None


def test_a_job_whose_worker_died_is_marked_as_failed(importer, county):
    program = ProgramFactory(region=county)
    batch = create_batch(
        resource_class=FigureResource,
        user=importer,
        file_name="a.csv",
        data=rows_to_csv(figure_rows(program, 1)),
        file_format=CSV,
        status=ImportBatch.Status.RUNNING,
    )
    ImportBatch.objects.filter(pk=batch.pk).update(
        heartbeat_at=timezone.now() - timezone.timedelta(minutes=11)
    )

    sweep_abandoned()

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.message == "导入进程中断，什么都没有导入。请重新上传文件。"


def test_the_command_line_import_shows_a_progress_bar_and_records_a_batch(
    tmp_path, county, monkeypatch
):
    monkeypatch.setattr(recording.Progress, "every", 10)
    monkeypatch.setattr(recording.Progress, "seconds", 0)
    program = ProgramFactory(region=county)
    path = tmp_path / "figures.csv"
    path.write_bytes(rows_to_csv(figure_rows(program, 25)))
    err = io.StringIO()

    resource = "programs.resources.FigureResource"
    call_command("import", resource, str(path), "--noinput", stderr=err)

    assert "导入 [" in err.getvalue()
    assert "100%  25/25 行，错误 0 行" in err.getvalue()
    batch = ImportBatch.objects.get()
    assert (batch.username, batch.file_name, batch.new_count) == (
        "命令行",
        "figures.csv",
        25,
    )
    assert Figure.objects.count() == 25


def test_the_command_line_can_queue_a_file_for_the_worker(tmp_path, county):
    program = ProgramFactory(region=county)
    path = tmp_path / "figures.csv"
    path.write_bytes(rows_to_csv(figure_rows(program, 3)))

    call_command(
        "import",
        "programs.resources.FigureResource",
        str(path),
        "--noinput",
        "--queue",
        stdout=io.StringIO(),
    )
    assert not Figure.objects.exists()
    call_command("run_import_jobs", "--once", stdout=io.StringIO())

    assert ImportBatch.objects.get().status == ImportBatch.Status.DONE
    assert Figure.objects.count() == 3


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite has one writer, so the import's transaction "
    "holds the progress back until it ends",
)
def test_other_servers_see_the_progress_while_the_import_runs(
    transactional_db, county, monkeypatch
):
    monkeypatch.setattr(recording.Progress, "every", 10)
    monkeypatch.setattr(recording.Progress, "seconds", 0)
    program = ProgramFactory(region=county)
    batch = create_batch(
        resource_class=FigureResource,
        user=None,
        file_name="figures.csv",
        data=rows_to_csv(figure_rows(program, 60)),
        file_format=CSV,
    )
    other = connections.create_connection("default")
    seen_elsewhere = []

    def look(done, total, errors):
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT rows_done FROM imports_importbatch WHERE id = %s", [batch.pk]
            )
            seen_elsewhere.append(cursor.fetchone()[0])

    try:
        run_batch(batch, progress=look)
    finally:
        other.close()

    # The callback runs just before the batch row is updated: each look sees
    # the previous report, written while the import's transaction was open.
    assert seen_elsewhere[1:4] == [10, 20, 30]
    assert Figure.objects.count() == 60
