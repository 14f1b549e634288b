"""`manage.py import`: django-import-export's command, with the portal's file
formats and its all-or-nothing rule.

The format is guessed from the file's extension (or named with --format) among
the portal's own classes, so a CSV is decoded whatever its encoding and an
XLSX or ODS is checked for zip and XML bombs. Every invalid row's message is
printed in Chinese, and a refused file exits non-zero with nothing written.
"""

import importlib
import os
import sys
from functools import partial

from django.core.management.base import CommandError
from django.db import InterfaceError, OperationalError
from django.utils.module_loading import import_string
from import_export.command_utils import get_resource_class
from import_export.results import RowResult

from imports.models import ImportBatch
from imports.recording import Progress
from imports.services import blocked, create_batch, result_messages, run_batch
from programs import spreadsheets

# "import" is a keyword: the module cannot be named in an import statement.
base = importlib.import_module("import_export.management.commands.import")
FORMATS = {cls.__name__.lower(): cls for cls in spreadsheets.FORMATS}


def format_class(name: str | None, file_name: str):
    """The portal's class for a name (XLSX, csv) or dotted path, else for the
    file's extension."""
    if name:
        if name.lower() in FORMATS:
            return FORMATS[name.lower()]()
        try:
            return import_string(name)()
        except ImportError:
            raise CommandError(
                f"无法识别的格式“{name}”，可用：{'、'.join(sorted(FORMATS))}"
            ) from None
    extension = os.path.splitext(file_name)[1].lstrip(".").lower()
    if extension in FORMATS:
        return FORMATS[extension]()
    raise CommandError(
        f"无法从文件名“{file_name}”判断格式，请用 --format 指定："
        + "、".join(sorted(FORMATS))
    )


class ProgressBar:
    """导入 [██████░░░░░░]  52%  52,000/100,000 行，错误 3 行 — redrawn in place on
    a terminal; a line every tenth of the way elsewhere (a log file)."""

    width = 30

    def __init__(self, stream):
        self.stream = stream
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.shown = -1

    def __call__(self, done: int, total: int, errors: int) -> None:
        percent = 100 * done // total if total else 100
        if not self.tty and percent // 10 == self.shown // 10:
            return
        self.shown = percent
        filled = self.width * percent // 100
        line = "导入 [{}{}] {:3d}%  {:,}/{:,} 行，错误 {:,} 行".format(
            "█" * filled, "░" * (self.width - filled), percent, done, total, errors
        )
        if self.tty:
            self.stream.write("\r" + line, ending="")
            self.stream.flush()
        else:
            self.stream.write(line)

    def close(self) -> None:
        if self.tty and self.shown >= 0:
            self.stream.write("")


class Command(base.Command):
    help = "从电子表格导入（XLSX、XLS、ODS 或 CSV）；任何一行有错就什么都不导入。"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        for action in parser._actions:
            if action.dest == "format":
                action.help = (
                    "XLSX、XLS、ODS 或 CSV（programs.spreadsheets 的类），"
                    "或格式类的完整路径；不填则按扩展名判断。"
                )
            elif action.dest == "encoding":
                action.help = "不需要：CSV 的编码会自动识别。"
        parser.add_argument(
            "--only-valid",
            action="store_true",
            help="只导入没有错误的行，有错的行跳过（默认全部或全不）。",
        )
        parser.add_argument(
            "--allow-recreate",
            action="store_true",
            help="允许重新创建已删除的项目或故事。",
        )
        parser.add_argument(
            "--queue",
            action="store_true",
            help="不在这里导入，交给后台导入进程（manage.py run_import_jobs）。",
        )
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help="不显示进度条。",
        )

    def handle(self, *args, **options):
        file_name = options["import_file_name"]
        if options["interactive"] and input("确定要导入吗？[yes/no]: ") != "yes":
            raise CommandError("已取消导入。")
        resource = get_resource_class(options["resource"])(
            only_valid=options["only_valid"],
            allow_recreate=options["allow_recreate"],
        )
        file_format = format_class(options.get("format"), file_name)
        try:
            if file_name == "-":
                data = raw = sys.stdin.buffer.read()
            else:
                with open(file_name, "rb") as file:
                    data = raw = file.read()
            if not file_format.is_binary():
                data = spreadsheets.decode_text(data)
            dataset = file_format.create_dataset(data)
        except OSError as exc:
            raise CommandError(f"无法读取文件“{file_name}”：{exc.strerror}") from None
        except spreadsheets.SpreadsheetError as exc:
            raise CommandError(f"文件被拒绝：{exc}") from None
        except Exception:
            raise CommandError(
                f"无法读取文件“{file_name}”：它可能已损坏，或者不是"
                f"{type(file_format).__name__}格式。"
            ) from None

        dry_run = options.get("dry_run")
        bar = None
        if options["verbosity"] > 0 and not options["no_progress"]:
            bar = ProgressBar(self.stderr)
        name = os.path.basename(file_name) if file_name != "-" else "stdin"
        batch_of_this_file = partial(
            create_batch,
            resource_class=type(resource),
            user=None,
            file_name=name,
            data=raw,
            file_format=file_format,
            policy="valid" if options["only_valid"] else "all",
            allow_recreate=options["allow_recreate"],
        )
        if options["queue"]:
            batch = batch_of_this_file(
                status=ImportBatch.Status.QUEUED,
                task=ImportBatch.Task.IMPORT,
            )
            self.stdout.write(self.style.SUCCESS(f"已排队：{batch}。"))
            return
        try:
            if dry_run or options.get("raise_errors"):
                # A trial run is not an import: no batch records it.
                resource.progress = Progress(None, bar)
                result = resource.import_data(
                    dataset,
                    dry_run=dry_run,
                    raise_errors=options.get("raise_errors", False),
                    file_name=name,
                )
            else:
                batch = batch_of_this_file(store=False)
                result = run_batch(batch, dataset=dataset, progress=bar)
        except (OperationalError, InterfaceError):
            # The import's transaction died with the connection; the batch is
            # marked failed by the sweep of abandoned imports.
            raise CommandError(
                "与数据库的连接中断了，导入没有完成，什么都没有写入。"
                "请在数据库恢复后重新导入这个文件。"
            ) from None
        if bar is not None:
            bar.close()
        for message in result_messages(result):
            self.stderr.write(self.style.ERROR(message))
        if blocked(result, options["only_valid"]):
            raise CommandError("文件被拒绝，什么都没有写入。")
        for message in getattr(result, "dropped", []):
            self.stderr.write(self.style.WARNING(f"已跳过：{message}"))
        for message in getattr(result, "warnings", []):
            self.stderr.write(self.style.WARNING(f"请核对：{message}"))
        totals = result.totals
        summary = "导入完成：新增 {} 条，修改 {} 条，未变 {} 条".format(
            totals[RowResult.IMPORT_TYPE_NEW],
            totals[RowResult.IMPORT_TYPE_UPDATE],
            totals[RowResult.IMPORT_TYPE_SKIP] - len(getattr(result, "dropped", [])),
        )
        if getattr(result, "dropped", []):
            summary += f"，跳过有错误的 {len(result.dropped)} 行"
        if dry_run:
            summary = "试运行，什么都没有写入。" + summary.replace("导入完成：", "")
        self.stdout.write(self.style.SUCCESS(summary + "。"))
