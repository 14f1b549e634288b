from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from backups.archive import BackupError, create


class Command(BaseCommand):
    help = "备份数据库、公开媒体文件和同意书扫描件到一个以时间命名的文件夹。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--to",
            default=settings.BACKUP_ROOT,
            help="放备份的文件夹（默认 BACKUP_ROOT）",
        )

    def handle(self, *args, **options):
        try:
            folder = create(Path(options["to"]))
        except BackupError as error:
            raise CommandError(str(error)) from None
        size = sum(p.stat().st_size for p in folder.iterdir())
        self.stdout.write(f"备份完成：{folder}（{size / 1024 / 1024:.1f} MB）")
