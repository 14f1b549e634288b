"""Import batches: who imported which file when, what each row changed, and
the upload itself while it waits between preview and confirmation.

The upload lives in the database, not on a local disk, so that the preview
and the confirmation may be served by different app servers, and a worker
process on yet another machine can run a long import.
"""

import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _


class ImportUpload(models.Model):
    """An uploaded spreadsheet, kept only until it is imported or abandoned,
    or an error workbook kept for its one download: either holds the real
    names of the people in the stories. In the database, so that every app
    server reads what another wrote."""

    class Purpose(models.TextChoices):
        UPLOAD = "upload", _("待导入的文件")
        ERRORS = "errors", _("带错误说明的表格")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(
        _("用途"), max_length=10, choices=Purpose, default=Purpose.UPLOAD
    )
    data = models.BinaryField(_("文件内容"))
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("待导入的文件")
        verbose_name_plural = _("待导入的文件")

    def __str__(self) -> str:
        return str(self.id)


class ImportBatchQuerySet(models.QuerySet):
    def queued(self) -> "ImportBatchQuerySet":
        """Jobs waiting for a worker, oldest first."""
        return self.filter(status=ImportBatch.Status.QUEUED).order_by("pk")

    def abandoned(self, max_age: int) -> "ImportBatchQuerySet":
        """Previews nobody confirmed within `max_age` seconds."""
        cutoff = timezone.now() - timezone.timedelta(seconds=max_age)
        return self.filter(status=ImportBatch.Status.PREVIEWED, created_at__lt=cutoff)

    def stale(self, max_age: int) -> "ImportBatchQuerySet":
        """Jobs whose worker has not reported for `max_age` seconds: it died,
        and its transaction was rolled back with it."""
        cutoff = timezone.now() - timezone.timedelta(seconds=max_age)
        return self.filter(status=ImportBatch.Status.RUNNING, heartbeat_at__lt=cutoff)

    def importable_by(self, user) -> "ImportBatchQuerySet":
        """The batches of the models this user may import."""
        if user.is_superuser:
            return self
        code = getattr(settings, "IMPORT_EXPORT_IMPORT_PERMISSION_CODE", "import")
        allowed = [
            ct.pk
            for ct in ContentType.objects.filter(
                pk__in=self.values("content_type").distinct()
            )
            if user.has_perm(f"{ct.app_label}.{code}_{ct.model}")
        ]
        return self.filter(content_type__in=allowed)


class ImportBatch(models.Model):
    """One import of one file: its origin, the policy chosen, how far it got,
    and what it did, row by row (ImportRow), so that it can be undone."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        PREVIEWED = "previewed", _("待确认")
        DONE = "done", _("已导入")
        FAILED = "failed", _("未导入")
        UNDONE = "undone", _("已撤销")
        PARTLY_UNDONE = "partly_undone", _("部分撤销")

    class Task(models.TextChoices):
        PREVIEW = "preview", _("检查（预览）")
        IMPORT = "import", _("导入")

    class Policy(models.TextChoices):
        ALL = "all", _("全部或全不")
        VALID = "valid", _("只导入没有错误的行")

    resource = models.CharField(
        _("导入方式"), max_length=200, help_text=_("读表格所用的类（程序内部名称）。")
    )
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("内容类型"), on_delete=models.PROTECT
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as text: the record outlives a deleted staff account.
    username = models.CharField(_("导入人"), max_length=150)
    file_name = models.CharField(_("文件名"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("文件大小（字节）"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    file_format = models.CharField(_("格式"), max_length=10)
    policy = models.CharField(
        _("有错误时"), max_length=10, choices=Policy, default=Policy.ALL
    )
    allow_recreate = models.BooleanField(_("重新创建已删除的内容"), default=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status, default=Status.QUEUED, db_index=True
    )
    task = models.CharField(_("步骤"), max_length=10, choices=Task, default=Task.IMPORT)
    upload = models.ForeignKey(
        ImportUpload,
        verbose_name=_("文件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="batches",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近进展"), null=True, blank=True)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    new_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("修改"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未变"), default=0)
    skipped_count = models.PositiveIntegerField(
        _("跳过"), default=0, help_text=_("选择“只导入没有错误的行”时跳过的错误行。")
    )
    invalid_count = models.PositiveIntegerField(_("有错误"), default=0)
    # The first messages of each kind, for the progress and detail pages; the
    # rows themselves (ImportRow) keep every message of a finished import.
    errors = models.JSONField(_("错误"), default=list, blank=True)
    warnings = models.JSONField(_("请核对"), default=list, blank=True)
    message = models.TextField(_("说明"), blank=True)
    undone_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    undone_by = models.CharField(_("撤销人"), max_length=150, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        indexes = [models.Index(fields=["status", "id"], name="import_batch_queue_idx")]

    def __str__(self) -> str:
        return _("第%(pk)s批：%(file)s") % {"pk": self.pk, "file": self.file_name}

    @property
    def model(self):
        return self.content_type.model_class()

    @property
    def model_name(self) -> str:
        return str(self.model._meta.verbose_name)

    def resource_class(self):
        from programs.workbooks import ignoring_notes

        return ignoring_notes(import_string(self.resource))

    @property
    def only_valid(self) -> bool:
        return self.policy == self.Policy.VALID

    @property
    def is_active(self) -> bool:
        """Queued or running: the progress page refreshes itself."""
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def can_be_undone(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.PARTLY_UNDONE) and bool(
            self.new_count or self.updated_count
        )

    @property
    def percent_done(self) -> int:
        if not self.total_rows:
            return 100 if self.finished_at else 0
        return min(100, round(100 * self.rows_done / self.total_rows))


class ImportRow(models.Model):
    """What one row of a file did: the item it created or changed, the values
    it found and left, or why it was refused. Unchanged rows are only counted.

    `after` holds every tracked field as the import left it and `before` the
    previous values of the fields it changed; undo compares `after` (and
    `version_after`, the item's lock_version) with the item as it is now, so a
    row edited since is never overwritten."""

    class Action(models.TextChoices):
        NEW = "new", _("新增")
        UPDATE = "update", _("修改")
        SKIPPED = "skipped", _("有错误，跳过")
        INVALID = "invalid", _("有错误")

    class Undo(models.TextChoices):
        NONE = "", _("—")
        UNDONE = "undone", _("已撤销")
        REFUSED = "refused", _("未撤销：导入后有人改过")
        GONE = "gone", _("已不存在")

    batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("批次"),
        on_delete=models.CASCADE,
        related_name="rows",
        # import_row_line_idx (batch, line) serves lookups by batch too; a
        # second index would be written for every row of every import.
        db_index=False,
    )
    line = models.PositiveIntegerField(_("行"))
    action = models.CharField(_("结果"), max_length=10, choices=Action)
    object_id = models.PositiveBigIntegerField(_("对象编号"), null=True, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    before = models.JSONField(_("导入前"), null=True, blank=True)
    after = models.JSONField(_("导入后"), null=True, blank=True)
    version_after = models.PositiveIntegerField(
        _("导入后的版本号"), null=True, blank=True
    )
    messages = models.JSONField(_("错误说明"), null=True, blank=True)
    undo = models.CharField(
        _("撤销"), max_length=10, choices=Undo, default=Undo.NONE, blank=True
    )
    undo_note = models.TextField(_("撤销说明"), blank=True)

    class Meta:
        ordering = ["batch", "line"]
        verbose_name = _("导入明细")
        verbose_name_plural = _("导入明细")
        indexes = [models.Index(fields=["batch", "line"], name="import_row_line_idx")]

    def __str__(self) -> str:
        return _("第%(line)s行") % {"line": self.line}
