import datetime
import os

import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    """What a consent may cover. Under the PIPL, a child's information, health
    and financial details are sensitive and each needs its own consent."""

    REAL_NAME = "real_name", _("真实姓名")
    PHOTO = "photo", _("照片")
    HEALTH = "health", _("健康与残疾情况")
    FINANCIAL = "financial", _("收入与救助（含低保）")


class DisplayPolicy(models.TextChoices):
    """How a person wants to be named to readers (consent permitting)."""

    REAL_NAME = "real_name", _("真实姓名（须有同意）")
    SURNAME = "surname", _("姓氏加“某”")
    PSEUDONYM = "pseudonym", _("化名")
    INITIALS = "initials", _("拼音首字母")


class ConsentQuerySet(models.QuerySet):
    def active(self, on: datetime.date | None = None) -> "ConsentQuerySet":
        """Consents in force on a day: given by then, not withdrawn by then."""
        on = on or timezone.localdate()
        return self.filter(given_on__lte=on).filter(
            models.Q(withdrawn_on__isnull=True) | models.Q(withdrawn_on__gt=on)
        )

    def next_change(self) -> datetime.date | None:
        """The next day any consent comes into force or ends, which changes
        what readers may see with no one saving anything."""
        today = timezone.localdate()
        dates = self.aggregate(
            given=models.Min("given_on", filter=models.Q(given_on__gt=today)),
            withdrawn=models.Min(
                "withdrawn_on", filter=models.Q(withdrawn_on__gt=today)
            ),
        )
        days = [day for day in dates.values() if day is not None]
        return min(days, default=None)


def consent_document_path(consent: "Consent", filename: str) -> str:
    return f"consents/{consent.person_id}/{filename}"


class PrivateStorage(FileSystemStorage):
    """Files outside MEDIA_ROOT, so no web server serves them: staff download
    consent scans through the admin, which checks their permission first.

    The location is read from settings on every use (not fixed when the model
    is imported). A file's URL is the admin's download view, which only staff
    allowed to view consents can open; there is no public URL at all."""

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        return reverse("admin:privacy_consent_file", args=[name])


def private_storage() -> FileSystemStorage:
    return PrivateStorage()


class Consent(models.Model):
    """One person's (or their guardian's) consent to what a story publishes."""

    class GivenBy(models.TextChoices):
        PERSON = "person", _("本人")
        GUARDIAN = "guardian", _("监护人")

    class Method(models.TextChoices):
        SIGNED_FORM = "signed_form", _("书面签字")
        RECORDED_VERBAL = "recorded_verbal", _("录音口头同意")

    person = models.ForeignKey(
        "stories.Person",
        verbose_name=_("人物"),
        on_delete=models.CASCADE,
        related_name="consents",
    )
    given_by = models.CharField(_("同意人"), max_length=16, choices=GivenBy)
    guardian_name = models.CharField(_("监护人姓名"), max_length=40, blank=True)
    guardian_relationship = models.CharField(
        _("与本人关系"), max_length=20, blank=True, help_text=_("如“祖父”“母亲”。")
    )
    given_on = models.DateField(_("同意日期"))
    method = models.CharField(_("方式"), max_length=20, choices=Method)
    covers_real_name = models.BooleanField(_("可用真实姓名"), default=False)
    covers_photo = models.BooleanField(_("可用照片"), default=False)
    covers_health = models.BooleanField(_("可写健康与残疾情况"), default=False)
    covers_financial = models.BooleanField(_("可写收入与救助"), default=False)
    document = models.FileField(
        _("同意书扫描件"),
        upload_to=consent_document_path,
        storage=private_storage,
        blank=True,
        help_text=_("仅工作人员可见，不会出现在网站上。"),
    )
    withdrawn_on = models.DateField(
        _("撤回日期"), null=True, blank=True, help_text=_("撤回后下一次访问即生效。")
    )
    notes = models.TextField(_("备注"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name = _("同意记录")
        verbose_name_plural = _("同意记录")
        permissions = [
            ("view_real_names", _("可以在历史记录和导出中看到受保护的真实姓名"))
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(given_by="guardian")
                | (~models.Q(guardian_name="") & ~models.Q(guardian_relationship="")),
                name="consent_guardian_named",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_on__isnull=True)
                | models.Q(withdrawn_on__gte=models.F("given_on")),
                name="consent_withdrawn_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_given_by_display()} · {self.given_on}"

    def clean(self) -> None:
        if self.given_by == self.GivenBy.GUARDIAN and not (
            self.guardian_name and self.guardian_relationship
        ):
            raise ValidationError(_("监护人同意时必须写明监护人姓名和与本人的关系。"))
        if self.withdrawn_on and self.withdrawn_on < self.given_on:
            raise ValidationError({"withdrawn_on": _("撤回日期不能早于同意日期。")})

    def get_scope_labels(self) -> list[str]:
        return [str(Scope(scope).label) for scope in self.scopes]

    @property
    def scopes(self) -> set[str]:
        return {
            scope
            for scope, covered in [
                (Scope.REAL_NAME, self.covers_real_name),
                (Scope.PHOTO, self.covers_photo),
                (Scope.HEALTH, self.covers_health),
                (Scope.FINANCIAL, self.covers_financial),
            ]
            if covered
        }


# Versioned on their own (their admin) and with their person (the inline).
reversion.register(Consent)


def retention_end(start: datetime.datetime) -> datetime.date:
    return (start + datetime.timedelta(days=3 * 366)).date()


class ImpactAssessment(models.Model):
    """The record PIPL art. 55–56 asks for when sensitive details are published:
    what, why, under which consents, approved by whom. Kept at least three years,
    after the story is unpublished or even deleted."""

    story = models.ForeignKey(
        "stories.Story",
        verbose_name=_("故事"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="impact_assessments",
    )
    story_title = models.CharField(_("故事标题"), max_length=200)
    published = models.TextField(_("公开的敏感信息"))
    purpose = models.TextField(_("公开的理由"))
    consents = models.TextField(_("依据的同意记录"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by_name = models.CharField(_("批准人"), max_length=150)
    approved_at = models.DateTimeField(_("批准时间"), default=timezone.now)
    keep_until = models.DateField(_("至少保存至"))

    class Meta:
        ordering = ["-approved_at"]
        verbose_name = _("个人信息保护影响评估")
        verbose_name_plural = _("个人信息保护影响评估")

    def __str__(self) -> str:
        return f"{self.story_title} · {self.approved_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if not self.keep_until:
            self.keep_until = retention_end(self.approved_at)
        super().save(*args, **kwargs)
