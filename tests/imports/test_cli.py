"""`manage.py import` with the portal's formats and its all-or-nothing rule."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from editorial.models import AuditEntry
from programs.models import Program
from tests.imports.helpers import rows_to_csv, rows_to_xlsx
from tests.imports.test_safety import xlsx_with_sheet, zeros

RESOURCE = "programs.resources.ProgramResource"


def program_rows(county, *extra):
    return [
        ["网址标识", "标题", "区划代码", "类别", "摘要"],
        ["gangnan-bamboo", "港南区竹编合作社", county.code, "产业扶贫", "竹编。"],
        *extra,
    ]


def run(path, *args):
    call_command("import", RESOURCE, str(path), "--noinput", *args)


def test_a_gbk_csv_is_decoded_when_the_format_is_guessed(tmp_path, county, capsys):
    path = tmp_path / "programs.csv"
    path.write_bytes(rows_to_csv(program_rows(county), "gb18030"))

    run(path)

    assert Program.objects.get().title == "港南区竹编合作社"
    out = capsys.readouterr()
    assert "导入完成：新增 1 条，修改 0 条，未变 0 条。" in out.out
    entry = AuditEntry.objects.get(action=AuditEntry.Action.IMPORT)
    assert entry.message == "从文件“programs.csv”导入（新建）"


@pytest.mark.parametrize("name", ["XLSX", "xlsx", "programs.spreadsheets.XLSX"])
def test_a_named_format_is_the_portals_class(tmp_path, county, name):
    path = tmp_path / "programs.data"
    path.write_bytes(rows_to_xlsx(program_rows(county)))

    run(path, "--format", name)

    assert Program.objects.count() == 1


def test_an_invalid_row_is_printed_and_the_file_refused(tmp_path, county, capsys):
    bad = ["other", "另一个项目", "999999", "产业扶贫", "摘要。"]
    worse = ["third", "第三个项目", county.code, "不存在的类别", "摘要。"]
    path = tmp_path / "programs.xlsx"
    path.write_bytes(rows_to_xlsx(program_rows(county, bad, worse)))

    with pytest.raises(CommandError, match="文件被拒绝，什么都没有写入"):
        run(path)

    err = capsys.readouterr().err
    assert "第3行，“地区代码”：找不到区划代码为“999999”的地区" in err
    assert "第4行，“类别”：“不存在的类别”不是可选的值" in err
    assert not Program.objects.exists()
    assert not AuditEntry.objects.exists()


def test_only_valid_imports_the_good_rows_and_lists_the_rest(tmp_path, county, capsys):
    bad = ["other", "另一个项目", "999999", "产业扶贫", "摘要。"]
    path = tmp_path / "programs.csv"
    path.write_bytes(rows_to_csv(program_rows(county, bad)))

    run(path, "--only-valid")

    assert list(Program.objects.values_list("slug", flat=True)) == ["gangnan-bamboo"]
    out = capsys.readouterr()
    assert "已跳过：第3行，“地区代码”" in out.err
    assert "跳过有错误的 1 行" in out.out


def test_a_dry_run_writes_nothing(tmp_path, county, capsys):
    path = tmp_path / "programs.csv"
    path.write_bytes(rows_to_csv(program_rows(county)))

    run(path, "-n")

    assert not Program.objects.exists()
    assert "试运行，什么都没有写入。新增 1 条" in capsys.readouterr().out


def test_a_zip_bomb_guessed_as_xlsx_is_refused(tmp_path, db):
    path = tmp_path / "programs.xlsx"
    path.write_bytes(xlsx_with_sheet(zeros))

    with pytest.raises(CommandError, match="文件被拒绝：文件解压后过大"):
        run(path)


def test_an_unknown_extension_asks_for_a_format(tmp_path, db):
    path = tmp_path / "programs.txt"
    path.write_text("网址标识\n")

    with pytest.raises(CommandError, match="无法从文件名“.*programs.txt”判断格式"):
        run(path)


def test_a_refused_file_exits_non_zero_from_the_shell(tmp_path):
    """The real command line, as a cron job or script sees it (the file is
    refused before any database is needed)."""
    path = tmp_path / "programs.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    manage = Path(__file__).resolve().parents[2] / "manage.py"

    done = subprocess.run(
        [sys.executable, str(manage), "import", RESOURCE, str(path), "--noinput"],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        timeout=120,
    )

    assert done.returncode != 0
    assert "文件被拒绝：文件已损坏" in done.stderr.decode("utf-8")
    assert b"Traceback" not in done.stderr
