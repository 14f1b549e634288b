"""Abstract building blocks shared by programs and stories.

Both apps publish content through the same states, record quantities with the
same care for qualifiers such as 多 and 余, and carry captioned photos.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from pypinyin import lazy_pinyin

from privacy.addresses import without_names
from privacy.files import (
    private_photo_name,
    private_photo_storage,
    public_copy_name,
)

# 万 and 亿 written in a unit ("万元", "万户") scale the number they follow.
MAGNITUDES = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}


def format_number(value: Decimal) -> str:
    """Write a number as a Chinese newspaper would: no trailing zeros, and digit
    grouping only from five digits up (2680, but 12,400)."""
    value = value.normalize() if value == value.to_integral() else value
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    whole, _dot, fraction = text.partition(".")
    digits = whole.lstrip("-")
    if len(digits) > 4:
        digits = f"{int(digits):,}"
    whole = ("-" if whole.startswith("-") else "") + digits
    return f"{whole}.{fraction}" if fraction else whole


class PublishableQuerySet(models.QuerySet):
    def published(self) -> "PublishableQuerySet":
        """What a reader may see: published, its go-live time has come and its
        expiry has not. Decided at query time, so nothing needs a cron job."""
        now = timezone.now()
        return self.filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now),
            status=Publishable.Status.PUBLISHED,
            published_at__lte=now,
        )


class Publishable(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        REVIEW = "review", _("待审核")
        PUBLISHED = "published", _("已发布")
        ARCHIVED = "archived", _("已归档")

    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=Status,
        default=Status.DRAFT,
        db_index=True,
        help_text=_("只有“已发布”且发布时间已到的内容读者才能看到。"),
    )
    published_at = models.DateTimeField(
        _("上线时间"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("填写将来的时间即为定时发布：时间到了才对读者显示。"),
    )
    expires_at = models.DateTimeField(
        _("下线时间"),
        null=True,
        blank=True,
        help_text=_("可选。到了这个时间读者就看不到了，不需要有人去点按钮。"),
    )
    is_featured = models.BooleanField(
        _("首页推荐"), default=False, help_text=_("勾选后在首页突出展示。")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    # Bumped by every save: an edit form that was opened before someone else's
    # save carries an older number and is refused instead of overwriting it.
    lock_version = models.PositiveIntegerField(_("版本号"), default=0, editable=False)

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.lock_version += 1
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.status == self.Status.PUBLISHED and not self.published_at:
            raise ValidationError({"published_at": _("发布的内容必须填写上线时间。")})
        if (
            self.expires_at
            and self.published_at
            and self.expires_at <= self.published_at
        ):
            raise ValidationError({"expires_at": _("下线时间必须晚于上线时间。")})

    @property
    def is_public(self) -> bool:
        now = timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= now
            and (self.expires_at is None or self.expires_at > now)
        )

    @property
    def public_state(self) -> str:
        """The status as a reader would experience it right now."""
        if self.status == self.Status.PUBLISHED and not self.is_public:
            if self.published_at and self.published_at > timezone.now():
                return _("定时发布")
            return _("已过期下线")
        return self.get_status_display()

    @classmethod
    def publication_constraints(cls, prefix: str) -> list[models.CheckConstraint]:
        """Published content says when it went live, and expires after that."""
        return [
            models.CheckConstraint(
                condition=~models.Q(status=cls.Status.PUBLISHED)
                | models.Q(published_at__isnull=False),
                name=f"{prefix}_published_has_date",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__isnull=True)
                | models.Q(published_at__isnull=True)
                | models.Q(expires_at__gt=models.F("published_at")),
                name=f"{prefix}_expires_after_going_live",
            ),
        ]


class Qualifier(models.TextChoices):
    """How a number was stated. 4600多万元 is not 4600万元: the word is a fact."""

    EXACT = "exact", _("确数")
    MORE = "more", _("多（如 4600多万元）")
    ODD = "odd", _("余（如 110余户）")
    OVER = "over", _("超过（如 超过80万元）")
    ABOUT = "about", _("约")
    NEARLY = "nearly", _("近")


QUALIFIER_PREFIX = {
    Qualifier.OVER: "超过",
    Qualifier.ABOUT: "约",
    Qualifier.NEARLY: "近",
}
QUALIFIER_SUFFIX = {Qualifier.MORE: "多", Qualifier.ODD: "余"}


def write_stated(value: Decimal, unit: str, qualifier: str, after: bool) -> str:
    """A quantity written the way the source wrote it, e.g. 4600多万元 (with
    `after`, the 多 or 余 follows the 万: 1.24万多户)."""
    number = format_number(value)
    prefix = QUALIFIER_PREFIX.get(qualifier, "")
    suffix = QUALIFIER_SUFFIX.get(qualifier, "")
    if suffix and after and unit[:1] in MAGNITUDES:
        return f"{prefix}{number}{unit[0]}{suffix}{unit[1:]}"
    return f"{prefix}{number}{suffix}{unit}"


class Quantity(models.Model):
    """A number as the source stated it: value, unit and qualifier."""

    value = models.DecimalField(_("数值"), max_digits=18, decimal_places=4)
    unit = models.CharField(
        _("单位"),
        max_length=20,
        blank=True,
        help_text=_("按原文填写，如“万元”“元”“户”“人”“%”。"),
    )
    qualifier = models.CharField(
        _("修饰"),
        max_length=8,
        choices=Qualifier,
        default=Qualifier.EXACT,
        help_text=_("原文的“多”“余”“超过”“约”必须保留，不能四舍五入掉。"),
    )
    qualifier_after_magnitude = models.BooleanField(
        _("“多/余”在“万”之后"),
        default=False,
        help_text=_("原文写作“1.24万多户”“18万余元”时勾选；“4600多万元”不勾选。"),
    )

    class Meta:
        abstract = True

    @property
    def display(self) -> str:
        """The quantity written the way the source wrote it, e.g. 4600多万元."""
        return write_stated(
            self.value, self.unit, self.qualifier, self.qualifier_after_magnitude
        )

    @property
    def base_unit(self) -> str:
        return (
            self.unit[1:]
            if self.unit[:1] in MAGNITUDES and len(self.unit) > 1
            else self.unit
        )

    @property
    def base_value(self) -> Decimal:
        """The value in the unit without 万/亿: 4600 万元 is 46,000,000 元."""
        if self.unit[:1] in MAGNITUDES and len(self.unit) > 1:
            return self.value * MAGNITUDES[self.unit[0]]
        return self.value

    @property
    def is_exact(self) -> bool:
        return self.qualifier == Qualifier.EXACT


class Photo(models.Model):
    # The original is never public: it is kept in private storage under a
    # random name, and readers get only `public_image`, a re-encoded copy.
    image = models.ImageField(
        _("图片文件"),
        upload_to=private_photo_name,
        storage=private_photo_storage,
        blank=True,
        width_field="width",
        height_field="height",
        help_text=_(
            "从报纸版面整理的内容可以先登记说明和署名，图片文件稍后补传。"
            "原图只有工作人员能看；读者看到的是网站另存的副本。"
        ),
    )
    caption = models.TextField(_("图片说明"))
    credit = models.CharField(
        _("署名"), max_length=120, help_text=_("如“龙胜洲摄（中经视觉）”。")
    )
    alt_text = models.CharField(
        _("替代文字"),
        max_length=300,
        help_text=_("给看不见图片的读者：用一句话描述图中内容。"),
    )
    # Stored so that pages can reserve the image's space without opening the file.
    width = models.PositiveIntegerField(_("宽度"), null=True, editable=False)
    height = models.PositiveIntegerField(_("高度"), null=True, editable=False)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    # Kept in step by stories.signals: present only while the photo may be
    # shown, re-encoded from the file readers may see, under a random name.
    public_image = models.ImageField(
        _("公开副本"),
        upload_to=public_copy_name,
        blank=True,
        editable=False,
        width_field="public_width",
        height_field="public_height",
    )
    public_width = models.PositiveIntegerField(_("副本宽度"), null=True, editable=False)
    public_height = models.PositiveIntegerField(
        _("副本高度"), null=True, editable=False
    )
    # The private file the copy was made from, to tell when it is out of date.
    public_image_source = models.CharField(
        _("副本来源"), max_length=100, blank=True, editable=False
    )

    class Meta:
        abstract = True
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.caption[:40]

    def publishable_version(self):
        """The file readers may see: the public copy, or None."""
        return self.public_image or None

    def source_for_readers(self):
        """The private file a public copy is made from, or None."""
        return self.image or None


def texts_of(obj, names, where: str = "") -> list[tuple[str, str]]:
    """(where, text) for the filled text fields of a row, each named as the
    admin labels it ("标题", or "图片“老屋”的说明" with `where`)."""
    return [
        (f"{where}{obj._meta.get_field(name).verbose_name}", getattr(obj, name))
        for name in names
        if getattr(obj, name)
    ]


# Derived from the files, not written by editors: left out of versions, so
# that history shows no noise and a restore never brings back an old copy.
PHOTO_COPY_FIELDS = [
    "public_image",
    "public_width",
    "public_height",
    "public_image_source",
]


def pinyin_slug(title: str, model: type[models.Model], max_length: int = 80) -> str:
    """A URL slug readers can type, from a Chinese title's pinyin, one syllable a
    word (浑源县 → hun-yuan-xian), unique among `model`'s slugs. People's names
    become 某人 first (潘长君的新学期 → mou-ren-de-xin-xue-qi): an address
    outlives every consent."""
    words = lazy_pinyin(without_names(title))
    base = slugify("-".join(words))[:max_length].strip("-") or "item"
    slug, n = base, 2
    while model._default_manager.filter(slug=slug).exists():
        slug, n = f"{base[: max_length - 4]}-{n}", n + 1
    return slug
