"""`manage.py import` when the database goes away in the middle of writing:
all or nothing, and a message that says so (benchmarks/fault_bench.py does it
for real, restarting PostgreSQL under a 200,000-row import)."""

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection

from imports import fast
from imports.recording import Progress
from programs.models import Figure
from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_connection_lost_while_writing_leaves_nothing_written(tmp_path, monkeypatch):
    ProgramFactory(slug="bamboo")
    sheet = tmp_path / "figures.csv"
    lines = ["项目,指标,数值,单位,年份,统计期"]
    lines += [f"bamboo,指标{i},{i}.5,万元,2018," for i in range(20)]
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reported = []
    report = Progress.__call__

    def report_until_the_connection_drops(self, done, total, errors, force=False):
        # Inside the import's transaction, once some rows are written.
        if connection.in_atomic_block and Figure.objects.exists():
            reported.append(Figure.objects.count())
            raise OperationalError("the server closed the connection")
        report(self, done, total, errors, force)

    monkeypatch.setattr(Progress, "__call__", report_until_the_connection_drops)
    # Written five rows at a time, so that the drop comes between writes.
    monkeypatch.setattr(fast, "CHUNK_SIZE", 5)
    monkeypatch.setattr(fast, "ITEM_CHUNK_SIZE", 5)
    with pytest.raises(CommandError, match="什么都没有写入"):
        call_command(
            "import",
            "programs.resources.FigureResource",
            str(sheet),
            interactive=False,
            no_progress=True,
        )
    assert reported and reported[0] >= 5  # rows were written, then rolled back
    assert not Figure.objects.exists()
