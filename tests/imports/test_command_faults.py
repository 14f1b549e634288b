"""`manage.py import` when the database goes away in the middle."""

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_a_lost_connection_ends_the_import_with_a_message(tmp_path, monkeypatch):
    def connection_lost(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(
        "programs.management.commands.import.run_batch", connection_lost
    )
    sheet = tmp_path / "regions.csv"
    sheet.write_text("代码,名称,级别\n450000,广西壮族自治区,省级\n", encoding="utf-8")
    with pytest.raises(CommandError, match="连接中断了，导入没有完成，什么都没有写入"):
        call_command(
            "import", "programs.resources.RegionResource", str(sheet), interactive=False
        )
