from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backups.archive import BackupError, restore


class Command(BaseCommand):
    help = "用一个备份替换当前的数据库、公开媒体文件和同意书扫描件。"

    def add_arguments(self, parser):
        parser.add_argument("folder", help="backup 命令建立的备份文件夹")
        parser.add_argument("--yes", action="store_true", help="不再询问，直接恢复")

    def handle(self, *args, **options):
        folder = Path(options["folder"])
        if not options["yes"]:
            answer = input(
                f"这会用“{folder}”替换当前的数据库和全部媒体文件，现有内容将丢失。"
                "输入 yes 继续："
            )
            if answer.strip().lower() != "yes":
                raise CommandError("已取消，什么都没有改变。")
        try:
            manifest = restore(folder)
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["rows"].values())
        self.stdout.write(
            f"恢复完成：{folder}（{manifest['created']} 的备份，{rows} 行数据）"
        )
