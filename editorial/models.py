from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """Who did what to which item, and when.

    Unlike Django's own LogEntry, an entry keeps the user's name and the item's
    title as text, so the trail survives the deletion of either.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("创建")
        EDIT = "edit", _("修改")
        SUBMIT = "submit", _("提交审核")
        WITHDRAW = "withdraw", _("撤回审核")
        SEND_BACK = "send_back", _("退回修改")
        PUBLISH = "publish", _("发布")
        UNPUBLISH = "unpublish", _("撤下")
        ARCHIVE = "archive", _("归档")
        REDRAFT = "redraft", _("恢复为草稿")
        RESTORE = "restore", _("恢复旧版本")
        IMPORT = "import", _("导入")
        DELETE = "delete", _("删除")
        RECOVER = "recover", _("从回收站恢复")
        SHARE_PREVIEW = "share_preview", _("分享预览链接")
        TAKE_DOWN = "take_down", _("因人物信息变化自动下线")

    timestamp = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField(_("用户名"), max_length=150, db_index=True)
    action = models.CharField(_("操作"), max_length=16, choices=Action, db_index=True)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("内容类型"), null=True, on_delete=models.SET_NULL
    )
    object_id = models.CharField(_("对象编号"), max_length=64)
    object_repr = models.CharField(_("对象"), max_length=200)
    message = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["-timestamp", "-pk"]
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="audit_object_idx")
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.get_action_display()} {self.object_repr}"


class ReviewNote(models.Model):
    """Why an item went back: a reviewer's comment when sending it back, or the
    reason it was taken down by itself, shown on its change page."""

    class Kind(models.TextChoices):
        SEND_BACK = "send_back", _("退回修改")
        TAKEN_DOWN = "taken_down", _("自动下线")

    kind = models.CharField(
        _("类型"), max_length=16, choices=Kind, default=Kind.SEND_BACK
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    author_name = models.CharField(_("审核人"), max_length=150)
    text = models.TextField(_("意见"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("审核意见")
        verbose_name_plural = _("审核意见")
        indexes = [
            models.Index(
                fields=["content_type", "object_id"], name="reviewnote_item_idx"
            )
        ]

    def __str__(self) -> str:
        return self.text[:40]
