"""`manage.py run_import_jobs`: the worker that checks and imports large files.

The admin queues a file bigger than IMPORT_INLINE_MAX_BYTES instead of reading
it in the web request (which a server would time out); this command takes the
queued batches one by one, oldest first, and records their progress on the
batch, where the admin's progress page reads it. Run it as a service, or
from cron with --once. Several workers may run side by side on PostgreSQL.
"""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from imports.services import claim_next_job, run_job, sweep_abandoned


class Command(BaseCommand):
    help = "运行排队的导入任务（大文件的检查和导入）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="处理完目前排队的任务就退出（适合 cron）。",
        )
        parser.add_argument(
            "--sleep",
            type=float,
            default=2.0,
            help="没有任务时，隔多少秒再查看一次（默认 2 秒）。",
        )

    def handle(self, *args, once=False, sleep=2.0, **options):
        while True:
            if not connection.in_atomic_block:
                # A long-running process must drop connections the server
                # closed (inside a test's transaction there is nothing to drop).
                close_old_connections()
            sweep_abandoned()
            batch = claim_next_job()
            if batch is None:
                if once:
                    return
                time.sleep(sleep)
                continue
            self.stdout.write(f"{batch}：{batch.get_task_display()}……")
            run_job(batch)
            batch.refresh_from_db()
            self.stdout.write(
                f"{batch}：{batch.get_status_display()}"
                + (f"（{batch.message}）" if batch.message else "")
            )
