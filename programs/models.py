from collections import defaultdict

import reversion
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from privacy.addresses import slug_errors
from privacy.rules import site_name_replacements
from privacy.services import spelling_errors
from programs.abstract import (
    PHOTO_COPY_FIELDS,
    Photo,
    Publishable,
    PublishableQuerySet,
    Quantity,
    texts_of,
)

year_validators = [MinValueValidator(1949), MaxValueValidator(2100)]
# A program's own texts; like its figures' and photos', they belong to no one
# story, so every name any story protects is checked in them where written.
PROGRAM_TEXT = [
    "title",
    "slug",
    "summary",
    "body",
    "lead_organisation",
    "source_publication",
    "source_byline",
]


def check_spellings(obj, fields) -> None:
    if errors := spelling_errors(obj, fields, site_name_replacements):
        raise ValidationError(errors)


def code_prefix(code: str) -> str:
    """The digits every code under this one starts with: 140000 → 14, 140200 → 1402."""
    if len(code) == 6:
        while len(code) > 2 and code.endswith("00"):
            code = code[:-2]
    return code


class RegionQuerySet(models.QuerySet):
    def top_level(self) -> "RegionQuerySet":
        return self.filter(parent__isnull=True)


class Region(models.Model):
    """A place in China's administrative hierarchy, from province to village."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("省级")
        PREFECTURE = 2, _("地级")
        COUNTY = 3, _("县级")
        TOWNSHIP = 4, _("乡级")
        VILLAGE = 5, _("村级")

    # Official division codes: 6 digits down to county level, then 9 for a
    # township and 12 for a village (统计用区划代码).
    CODE_LENGTHS = {
        Level.PROVINCE: 6,
        Level.PREFECTURE: 6,
        Level.COUNTY: 6,
        Level.TOWNSHIP: 9,
        Level.VILLAGE: 12,
    }

    name = models.CharField(_("名称"), max_length=60)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level)
    code = models.CharField(
        _("区划代码"),
        max_length=12,
        blank=True,
        help_text=_(
            "国家统计用区划代码：省、市、县为6位（浑源县为140225），乡镇9位，村12位。"
            "县级及以上必填；乡镇和村不知道时可暂时空着。"
        ),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级地区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    slug = models.SlugField(
        _("网址标识"),
        max_length=200,
        unique=True,
        allow_unicode=True,
        editable=False,
        help_text=_("自动生成：有区划代码时就是代码。"),
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["level", "code", "name"]
        verbose_name = _("地区")
        verbose_name_plural = _("地区")
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=~models.Q(code=""), name="region_code_unique"
            ),
            models.UniqueConstraint(
                fields=["parent", "name"], name="region_name_unique_within_parent"
            ),
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^([0-9]{6}|[0-9]{9}|[0-9]{12})?$"),
                name="region_code_is_6_9_or_12_digits",
            ),
            models.CheckConstraint(
                condition=models.Q(level__gte=4) | ~models.Q(code=""),
                name="region_code_required_down_to_county",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.code:
            self.slug = self.code
        elif self.parent:
            self.slug = f"{self.parent.slug}-{self.name}"
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("programs:region_detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        errors = {}
        if self.code and len(self.code) != self.CODE_LENGTHS[self.level]:
            errors["code"] = _("%(level)s的区划代码应为%(n)d位数字。") % {
                "level": self.get_level_display(),
                "n": self.CODE_LENGTHS[self.level],
            }
        if self.level and self.level <= self.Level.COUNTY and not self.code:
            errors["code"] = _("县级及以上地区必须填写区划代码。")
        if self.parent_id:
            if self.parent.level >= self.level:
                errors["parent"] = _("上级地区的层级必须高于本地区。")
            elif (
                self.parent.code
                and self.code
                and not self.code.startswith(code_prefix(self.parent.code))
            ):
                errors["code"] = _("区划代码与上级地区的代码不相符。")
        elif self.level and self.level != self.Level.PROVINCE:
            errors["parent"] = _("只有省级地区可以没有上级地区。")
        if errors:
            raise ValidationError(errors)

    def ancestors(self) -> list["Region"]:
        """From the province down to the parent, for breadcrumbs."""
        chain, region = [], self.parent
        while region is not None:
            chain.append(region)
            region = region.parent
        return chain[::-1]

    @property
    def full_name(self) -> str:
        return "".join(r.name for r in [*self.ancestors(), self])

    def descendant_ids(self) -> list[int]:
        """This region and every region under it: one query per level below."""
        return [self.pk, *self.branches()]

    def branches(self) -> dict[int, int]:
        """Every region below this one, mapped to the child of this region whose
        branch it is in (a village → its township, if this is the county)."""
        branch, frontier = {}, {self.pk: None}
        while frontier:
            below = Region.objects.filter(parent__in=frontier).values_list(
                "pk", "parent"
            )
            frontier = {pk: frontier[parent] or pk for pk, parent in below}
            branch.update(frontier)
        return branch

    def count_by_branch(
        self, queryset: models.QuerySet, branch: dict[int, int] | None = None
    ) -> dict[int, int]:
        """How many rows of `queryset` (stories, programs) lie in each child's
        branch, in one grouped query."""
        branch = self.branches() if branch is None else branch
        counts: dict[int, int] = defaultdict(int)
        rows = (
            queryset.filter(region__in=branch)
            .order_by()
            .values_list("region")
            .annotate(n=models.Count("pk"))
        )
        for region_id, n in rows:
            counts[branch[region_id]] += n
        return counts


class Category(models.TextChoices):
    ECOMMERCE = "ecommerce", _("电商扶贫")
    TOURISM = "tourism", _("旅游扶贫")
    CONSUMPTION = "consumption", _("消费扶贫")
    INDUSTRY = "industry", _("产业扶贫")
    COLLECTIVE = "collective", _("农村集体经济")
    EDUCATION = "education", _("教育扶贫")
    HEALTH = "health", _("健康扶贫")
    EMPLOYMENT = "employment", _("就业扶贫")
    SOCIAL_ASSISTANCE = "social_assistance", _("社会保障兜底")
    SOCIAL_SUPPORT = "social_support", _("社会帮扶")
    INFRASTRUCTURE = "infrastructure", _("基础设施")
    ECOLOGY = "ecology", _("生态扶贫")
    FINANCE = "finance", _("金融扶贫")
    OTHER = "other", _("其他")


class ProgramQuerySet(PublishableQuerySet):
    def in_region(self, region: Region) -> "ProgramQuerySet":
        return self.filter(region__in=region.descendant_ids())


class Program(Publishable):
    """A poverty-alleviation program or measure, as a newspaper profiled it."""

    title = models.CharField(_("标题"), max_length=200)
    slug = models.SlugField(
        _("网址标识"),
        max_length=100,
        unique=True,
        help_text=_("用于网址的英文、数字和连字符，如 hunyuan-ecommerce。"),
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("地区"),
        on_delete=models.PROTECT,
        related_name="programs",
    )
    category = models.CharField(
        _("类别"), max_length=32, choices=Category, db_index=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("所属项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="parts",
        help_text=_("一个县的整体做法下面的具体案例，可以挂在整体项目之下。"),
    )
    summary = models.TextField(
        _("摘要"), help_text=_("两三句话，显示在列表和分享卡片上。")
    )
    body = models.TextField(_("正文"), blank=True, help_text=_("段落之间空一行。"))
    start_year = models.PositiveSmallIntegerField(
        _("起始年份"), null=True, blank=True, validators=year_validators
    )
    end_year = models.PositiveSmallIntegerField(
        _("结束年份"), null=True, blank=True, validators=year_validators
    )
    lead_organisation = models.CharField(_("牵头单位"), max_length=200, blank=True)
    source_publication = models.CharField(_("来源媒体"), max_length=100, blank=True)
    source_byline = models.CharField(_("来源署名"), max_length=200, blank=True)
    source_date = models.DateField(_("来源日期"), null=True, blank=True)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "title"]
        verbose_name = _("扶贫项目")
        verbose_name_plural = _("扶贫项目")
        permissions = [
            ("publish_program", _("可以发布、撤下和归档项目")),
            ("change_any_program", _("可以修改他人的和已提交的项目")),
        ]
        constraints = [
            *Publishable.publication_constraints("program"),
            models.CheckConstraint(
                condition=models.Q(end_year__isnull=True)
                | models.Q(start_year__isnull=True)
                | models.Q(end_year__gte=models.F("start_year")),
                name="program_ends_after_it_starts",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="program_public_idx")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("programs:detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        super().clean()
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("结束年份不能早于起始年份。")})
        texts = [name for name in PROGRAM_TEXT if name != "slug"]
        errors = spelling_errors(self, texts, site_name_replacements)
        # The address spells no protected name, nor that of anyone the title
        # names, whatever their consent: it outlives every consent.
        protected = site_name_replacements().full_names
        if problems := slug_errors(self.slug, title=self.title, names=protected):
            errors["slug"] = problems
        if errors:
            raise ValidationError(errors)

    def public_texts(self) -> list[tuple[str, str]]:
        """(where, text) for every text of the program readers may see."""
        texts = texts_of(self, PROGRAM_TEXT)
        for figure in self.figures.all():
            where = _("数据“%(i)s”的") % {"i": figure.indicator[:12]}
            texts += texts_of(
                figure, ["indicator", "period_label", "source_note"], where
            )
        for photo in self.photos.all():
            where = _("图片“%(caption)s”的") % {"caption": photo.caption[:12]}
            texts += texts_of(photo, ["caption", "alt_text", "credit"], where)
        return texts

    @property
    def period_display(self) -> str:
        if self.start_year and self.end_year:
            return f"{self.start_year}—{self.end_year}"
        if self.start_year:
            return _("%(year)s年起") % {"year": self.start_year}
        return ""

    def indicators(self) -> list["Indicator"]:
        """The program's figures grouped into indicators, each a time series."""
        series: dict[tuple[str, str], list[Figure]] = defaultdict(list)
        for figure in self.figures.all():
            series[(figure.indicator, figure.base_unit)].append(figure)
        return [
            Indicator(name, unit, figures) for (name, unit), figures in series.items()
        ]


class Indicator:
    """One indicator of a program over time (not stored: figures share its name)."""

    def __init__(self, name: str, unit: str, figures: list["Figure"]):
        self.name, self.unit = name, unit
        self.figures = sorted(
            figures, key=lambda f: (f.year or 0, f.as_of or f.year or 0)
        )

    def __repr__(self) -> str:
        return f"<Indicator {self.name}: {len(self.figures)} figures>"

    @property
    def is_series(self) -> bool:
        return len(self.figures) > 1


class Figure(Quantity):
    """A dated, sourced number a program reported."""

    program = models.ForeignKey(
        Program,
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        related_name="figures",
        # The unique constraint's index starts with the program: it serves
        # lookups by program, and a second index would cost every import.
        db_index=False,
    )
    indicator = models.CharField(
        _("指标"),
        max_length=120,
        help_text=_("同一指标不同年份的数字请用完全相同的名称，图表才能连成一条线。"),
    )
    year = models.PositiveSmallIntegerField(
        _("年份"), null=True, blank=True, validators=year_validators
    )
    period_label = models.CharField(
        _("统计期"),
        max_length=60,
        blank=True,
        help_text=_("原文的时间说法，如“今年以来”“2018年”“截至目前”。"),
    )
    as_of = models.DateField(_("截至日期"), null=True, blank=True)
    is_headline = models.BooleanField(_("首页要闻数字"), default=False)
    source_note = models.CharField(
        _("出处"), max_length=200, blank=True, help_text=_("不填则沿用项目的来源。")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "indicator", "year", "pk"]
        verbose_name = _("数据")
        verbose_name_plural = _("数据")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "indicator", "year", "period_label"],
                name="figure_unique_per_indicator_and_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.display}"

    def clean(self) -> None:
        super().clean()
        check_spellings(self, ["indicator", "period_label", "source_note"])

    @property
    def when(self) -> str:
        if self.period_label:
            return self.period_label
        return _("%(year)s年") % {"year": self.year} if self.year else ""


class ProgramPhoto(Photo):
    program = models.ForeignKey(
        Program, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="photos"
    )

    class Meta(Photo.Meta):
        verbose_name = _("项目图片")
        verbose_name_plural = _("项目图片")

    def clean(self) -> None:
        super().clean()
        check_spellings(self, ["caption", "alt_text", "credit"])


# A program is versioned together with its figures and photos, so that a version
# can be compared and restored whole (editorial.services.restore_version).
reversion.register(Figure)
reversion.register(ProgramPhoto, exclude=PHOTO_COPY_FIELDS)
reversion.register(Program, follow=("figures", "photos"))
