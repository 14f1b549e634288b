import datetime
from collections import defaultdict
from decimal import Decimal

import reversion
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from privacy.addresses import slug_errors
from privacy.files import private_photo_name, private_photo_storage
from privacy.models import DisplayPolicy, Scope
from privacy.rules import (
    HEALTH_CAUSES,
    Disclosure,
    ProtectedNames,
    disclose,
    disclose_all,
    line_scopes,
    names_to_protect,
    protected_form,
    redact_text,
)
from privacy.services import spelling_errors
from programs.abstract import (
    PHOTO_COPY_FIELDS,
    Photo,
    Publishable,
    PublishableQuerySet,
    Quantity,
    format_number,
    texts_of,
)
from programs.models import Program, Region, year_validators

# Under China's PIPL a child under 14's personal information is sensitive.
CHILD_AGE = 14


class Cause(models.Model):
    """A cause of hardship as the national poverty register (建档立卡) records it."""

    slug = models.SlugField(_("网址标识"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=20, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("致贫原因")
        verbose_name_plural = _("致贫原因")

    def __str__(self) -> str:
        return self.name


class Household(models.Model):
    """A family as the register knows it; people in a story belong to one."""

    name = models.CharField(
        _("户名"),
        max_length=60,
        help_text=_("编辑部内部使用，如“潘蔼章户”。不会对读者显示。"),
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("所在地区"),
        on_delete=models.PROTECT,
        related_name="households",
    )
    size = models.PositiveSmallIntegerField(_("家庭人口"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("家庭")
        verbose_name_plural = _("家庭")

    def __str__(self) -> str:
        return self.name

    @property
    def protected_name(self) -> str:
        """The name for staff who may not see its people's names: named after
        the head by convention (潘蔼章户), it keeps its first character, like a
        person's protected name (潘某户)."""
        return _("%(surname)s某户") % {"surname": self.name[:1]}


class PersonQuerySet(models.QuerySet):
    def concerned_by(self, stories) -> "PersonQuerySet":
        """People these stories concern: featured, receiving their assistance,
        named in their outcomes or shown in their photos. One subquery per
        role, so that no join multiplies the rows."""
        roles = ("stories", "assistance__story", "outcomes__story", "photos__story")
        people = Person.objects.order_by()
        concerned = models.Q()
        for role in roles:
            concerned |= models.Q(
                pk__in=people.filter(**{f"{role}__in": stories}).values("pk")
            )
        return self.filter(concerned)


class Person(models.Model):
    """Someone a story features. The public name is derived, never stored, so that
    privacy rules can decide what readers see."""

    class Role(models.TextChoices):
        HEAD = "head", _("户主")
        SPOUSE = "spouse", _("配偶")
        CHILD = "child", _("子女")
        GRANDCHILD = "grandchild", _("孙子女")
        PARENT = "parent", _("父母")
        GRANDPARENT = "grandparent", _("祖父母")
        OTHER = "other", _("其他")

    class Gender(models.TextChoices):
        FEMALE = "female", _("女")
        MALE = "male", _("男")
        UNKNOWN = "", _("未说明")

    DisplayPolicy = DisplayPolicy

    real_name = models.CharField(_("真实姓名"), max_length=40)
    gender = models.CharField(_("性别"), max_length=8, choices=Gender, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("出生年份"), null=True, blank=True, validators=year_validators
    )
    age = models.PositiveSmallIntegerField(
        _("年龄"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(130)],
        help_text=_("只知道报道时的年龄时填写，并填“年龄对应日期”。"),
    )
    age_as_of = models.DateField(_("年龄对应日期"), null=True, blank=True)
    household = models.ForeignKey(
        Household,
        verbose_name=_("家庭"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    household_role = models.CharField(
        _("家庭角色"), max_length=16, choices=Role, blank=True
    )
    description = models.CharField(
        _("简介"), max_length=200, blank=True, help_text=_("如“藏经庄村农民电商”。")
    )
    display_policy = models.CharField(
        _("公开显示方式"),
        max_length=16,
        choices=DisplayPolicy,
        default=DisplayPolicy.REAL_NAME,
        help_text=_(
            "即使选“真实姓名”，也要有包括真实姓名的有效同意才会公开；"
            "否则读者看到姓氏加“某”（或下面的化名）。"
        ),
    )
    pseudonym = models.CharField(
        _("化名"), max_length=40, blank=True, help_text=_("显示方式为“化名”时使用。")
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["real_name", "pk"]
        verbose_name = _("人物")
        verbose_name_plural = _("人物")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(age__isnull=True)
                | models.Q(age_as_of__isnull=False),
                name="person_age_needs_a_date",
            ),
        ]
        # Finding the people a title names (privacy.addresses): by full name,
        # or by the given name of a three-character one.
        indexes = [
            models.Index(fields=["real_name"], name="person_real_name_idx"),
            models.Index(Substr("real_name", 2), name="person_given_name_idx"),
        ]

    def __str__(self) -> str:
        return self.real_name

    def clean(self) -> None:
        if self.age is not None and self.age_as_of is None:
            raise ValidationError(
                {"age_as_of": _("填写年龄时必须说明是哪一天的年龄。")}
            )

    def age_on(self, day) -> int | None:
        """Age on a given date, from the birth year or from a dated age.

        Known only to within a year, so it errs young: a child's protection must
        never lapse early.
        """
        if self.age is not None and self.age_as_of is not None:
            since = self.age_as_of
            return (
                self.age
                + day.year
                - since.year
                - ((day.month, day.day) < (since.month, since.day))
            )
        if self.birth_year:
            return max(0, day.year - self.birth_year - 1)
        return None

    def is_child_on(self, day) -> bool:
        age = self.age_on(day)
        return age is not None and age < CHILD_AGE

    @property
    def protected_name(self) -> str:
        """How readers see this person when the real name may not be shown."""
        return protected_form(self)

    def disclosure(self, on=None) -> Disclosure:
        """What readers may see of this person, in a story dated `on`."""
        return disclose(self, story_date=on)

    def public_name(self, on=None) -> str:
        return self.disclosure(on).name


# A story's own texts, checked for protected names where they are written.
STORY_TEXT = ["title", "slug", "dek", "body", "outcome", "byline", "source_publication"]


class StoryLine(models.Model):
    """A row that belongs to a story and carries text readers see: checked for
    its people's names where it is written, as the story is."""

    TEXT_FIELDS: list[str] = []

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.story_id:
            names = lambda: self.story.name_replacements  # noqa: E731
            if errors := spelling_errors(self, self.TEXT_FIELDS, names):
                raise ValidationError(errors)


# Everyone a story concerns, with what decides what readers see of them: their
# consents, and their households' members with theirs; and which of them the
# story features (whose consents its health details need).
PEOPLE = (
    "concerned__consents",
    "concerned__household__members__consents",
    "people",
)


class StoryQuerySet(PublishableQuerySet):
    def published(self) -> "StoryQuerySet":
        """Also: the consents it was published under still hold. A story whose
        consent ends on a set day leaves every public page that day, with no
        one saving anything (editorial.consents takes it back to review)."""
        return (
            super()
            .published()
            .filter(
                models.Q(consents_end_on__isnull=True)
                | models.Q(consents_end_on__gt=timezone.localdate())
            )
        )

    def lapsed(self) -> "StoryQuerySet":
        """Published, but a consent it relied on has ended since."""
        return self.filter(
            status=Publishable.Status.PUBLISHED,
            consents_end_on__lte=timezone.localdate(),
        )

    def with_people(self) -> "StoryQuerySet":
        """Ready for the privacy rules: five queries however many stories."""
        return self.prefetch_related(*PEOPLE)

    def with_details(self) -> "StoryQuerySet":
        """The lines readers may see, with who they concern."""
        return self.with_people().prefetch_related(
            "causes",
            models.Prefetch(
                "assistance", queryset=Assistance.objects.select_related("recipient")
            ),
            models.Prefetch(
                "outcomes", queryset=Outcome.objects.select_related("person")
            ),
            "photos__people_shown",
        )

    def for_listing(self) -> "StoryQuerySet":
        return (
            self.select_related("region")
            .with_people()
            .prefetch_related("causes", "photos__people_shown")
        )

    def concerning(self, people, households=()) -> "StoryQuerySet":
        """Stories that concern any of these people, or anyone in these
        households, in any role."""
        return self.filter(
            models.Q(concerned__in=people)
            | models.Q(concerned__household__in=households)
        ).distinct()

    def in_region(self, region: Region) -> "StoryQuerySet":
        return self.filter(region__in=region.descendant_ids())


class Story(Publishable):
    """A human-interest story about a household a program reached."""

    title = models.CharField(_("标题"), max_length=200)
    slug = models.SlugField(
        _("网址标识"),
        max_length=100,
        unique=True,
        help_text=_(
            "用于网址的英文、数字和连字符，如 jindong-new-school-term。"
            "不要用人名，拼音和首字母也不行：网址会出现在分享链接和二维码里，"
            "同意撤回后也无法收回。"
        ),
    )
    dek = models.CharField(
        _("导语"),
        max_length=300,
        help_text=_("标题下的一两句话，也用在列表和分享卡片上。"),
    )
    body = models.TextField(_("正文"), help_text=_("段落之间空一行。"))
    byline = models.CharField(_("作者署名"), max_length=200, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("地区"), on_delete=models.PROTECT, related_name="stories"
    )
    programs = models.ManyToManyField(
        Program, verbose_name=_("相关项目"), blank=True, related_name="stories"
    )
    causes = models.ManyToManyField(
        Cause, verbose_name=_("致贫原因"), blank=True, related_name="stories"
    )
    people = models.ManyToManyField(
        Person,
        verbose_name=_("人物"),
        through="StoryPerson",
        blank=True,
        related_name="stories",
    )
    # Read only: featured, receiving assistance, in an outcome or in a photo.
    concerned = models.ManyToManyField(
        Person,
        verbose_name=_("涉及的人"),
        through="Concern",
        editable=False,
        related_name="concerning_stories",
    )
    outcome = models.TextField(
        _("变化"),
        blank=True,
        help_text=_(
            "帮扶之后发生了什么，如换工作后的工资。具体数字请填在下方“变化”表中。"
        ),
    )
    source_publication = models.CharField(_("来源媒体"), max_length=100, blank=True)
    source_date = models.DateField(_("来源日期"), null=True, blank=True)
    mentions_health = models.BooleanField(
        _("正文写到健康或残疾情况"),
        default=False,
        help_text=_("勾选后，发布前须有文中人物关于健康情况的同意。"),
    )
    # What a reviewer approved readers would see of each person, when the story
    # was published: a later change that shows more, or a consent that covers
    # less, takes the story back to review (editorial.consents).
    reviewed_people = models.JSONField(
        _("发布时审核的人物公开情况"), default=dict, blank=True, editable=False
    )
    consents_end_on = models.DateField(
        _("同意到期日"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("发布所依据的同意从这一天起不再有效，故事自动下线。"),
    )

    objects = StoryQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("人物故事")
        verbose_name_plural = _("人物故事")
        permissions = [
            ("publish_story", _("可以发布、撤下和归档故事")),
            ("change_any_story", _("可以修改他人的和已提交的故事")),
        ]
        constraints = [*Publishable.publication_constraints("story")]
        indexes = [
            models.Index(
                fields=["status", "-published_at", "-id"], name="story_public_idx"
            ),
            # Home's featured and latest stories, without walking every story
            # newer than the last featured one.
            models.Index(
                fields=["is_featured", "status", "-published_at"],
                name="story_featured_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.pk:
            texts = [name for name in STORY_TEXT if name != "slug"]
            errors = spelling_errors(self, texts, lambda: self.name_replacements)
        # The address spells no one's name, protected or not: it outlives
        # every consent. A new story has no people yet; its title may name them.
        concerned = (
            [p.real_name for p in self.people_by_id().values()] if self.pk else []
        )
        if problems := slug_errors(self.slug, title=self.title, names=concerned):
            errors["slug"] = problems
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self) -> str:
        return reverse("stories:detail", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return super().is_public and (
            self.consents_end_on is None or self.consents_end_on > timezone.localdate()
        )

    @property
    def public_until(self):
        """When readers stop seeing it, by its expiry or its consents."""
        ends = [self.expires_at]
        if self.consents_end_on:
            ends.append(
                timezone.make_aware(
                    datetime.datetime.combine(self.consents_end_on, datetime.time.min)
                )
            )
        return min((end for end in ends if end is not None), default=None)

    def public_texts(self) -> list[tuple[str, str]]:
        """(where, text) for every text of the story readers may see, its
        address included: what the privacy checks read."""
        texts = texts_of(self, STORY_TEXT)
        for featured in self.storyperson_set.all():
            texts += texts_of(featured, ["role"], _("文中人物的"))
        for line in self.assistance.all():
            where = _("帮扶明细“%(m)s”的") % {"m": line.get_measure_display()}
            texts += texts_of(line, ["description", "provider"], where)
        for outcome in self.outcomes.all():
            texts += texts_of(outcome, ["description", "period_label"], _("变化的"))
        for photo in self.photos.all():
            where = _("图片“%(caption)s”的") % {"caption": photo.caption[:12]}
            texts += texts_of(photo, ["caption", "alt_text", "credit"], where)
        return texts

    @property
    def story_date(self):
        day = self.source_date or (
            self.published_at and timezone.localdate(self.published_at)
        )
        return day or timezone.localdate()

    @cached_property
    def disclosures(self) -> dict[int, Disclosure]:
        """What readers may see of each person in this story, by person id:
        everyone it concerns and, with a protected child, his household
        (privacy.rules.disclose_all)."""
        shown, self._people_by_id = disclose_all(
            self.concerned.all(), story_date=self.story_date
        )
        return shown

    def disclosure_of(self, person: Person) -> Disclosure:
        return self.disclosures.get(person.pk) or person.disclosure(on=self.story_date)

    def person(self, pk: int) -> Person:
        """One of the people this story concerns, with their consents."""
        self.disclosures  # noqa: B018 - fills _people_by_id
        if pk not in self._people_by_id:  # a line saved since they were read
            self._people_by_id[pk] = Person.objects.get(pk=pk)
        return self._people_by_id[pk]

    def people_by_id(self) -> dict[int, Person]:
        self.disclosures  # noqa: B018 - fills _people_by_id
        return self._people_by_id

    def everyone(self) -> list[Person]:
        """Everyone whose consents decide what readers see of this story: the
        people it concerns and, with a protected child, his household."""
        self.disclosures  # noqa: B018 - fills _people_by_id
        return list(self._people_by_id.values())

    @cached_property
    def name_replacements(self) -> ProtectedNames:
        """Real names (and given names) of protected people → what readers see."""
        return names_to_protect(self.disclosures, self._people_by_id)

    def redact(self, text: str) -> str:
        """Any text of this story as readers may see it."""
        return redact_text(text, self.name_replacements)

    def subjects(self, person: "Person | None") -> list[Person]:
        """Whose consent a detail needs: its person, or everyone the story features."""
        if person is not None:
            return [person]
        return [self.person(p.pk) for p in self.people.all()]

    def lacks(self, scopes, person: "Person | None") -> list[tuple[Person, str]]:
        """(person, scope) pairs whose consent is missing for a detail."""
        return [
            (subject, scope)
            for subject in self.subjects(person)
            for scope in scopes
            if not self.disclosure_of(subject).allows(scope)
        ]

    def recipient(self, line: "Assistance | Outcome") -> Person | None:
        """Whom a line concerns, as the rules know them (None: everyone)."""
        pk = line.recipient_id if isinstance(line, Assistance) else line.person_id
        return self.person(pk) if pk else None

    @cached_property
    def detail_checks(self) -> list[tuple[str, list[tuple[Person, str]]]]:
        """Every sensitive detail of the story with the consents it lacks."""
        checks = []
        for line in self.assistance.all():
            label = _("帮扶明细“%(m)s”") % {
                "m": line.description or line.get_measure_display()
            }
            checks.append(
                (label, self.lacks(line_scopes(line.measure), self.recipient(line)))
            )
        for outcome in self.outcomes.all():
            label = _("变化“%(d)s”") % {"d": outcome.description}
            checks.append(
                (label, self.lacks([Scope.FINANCIAL], self.recipient(outcome)))
            )
        for cause in self.causes.all():
            if cause.slug in HEALTH_CAUSES:
                label = _("致贫原因“%(c)s”") % {"c": cause.name}
                checks.append((label, self.lacks([Scope.HEALTH], None)))
        if self.mentions_health:
            checks.append(
                (_("正文中的健康或残疾情况"), self.lacks([Scope.HEALTH], None))
            )
        return checks

    def public_assistance(self) -> list["Assistance"]:
        """Assistance lines whose people consented to them being published."""
        return [
            line
            for line in self.assistance.all()
            if not self.lacks(line_scopes(line.measure), self.recipient(line))
        ]

    def public_outcomes(self) -> list["Outcome"]:
        return [
            o
            for o in self.outcomes.all()
            if not self.lacks([Scope.FINANCIAL], self.recipient(o))
        ]

    def public_causes(self) -> list["Cause"]:
        health_ok = not self.lacks([Scope.HEALTH], None)
        return [
            c for c in self.causes.all() if health_ok or c.slug not in HEALTH_CAUSES
        ]

    def public_photos(self) -> list["StoryPhoto"]:
        """Photos readers may see: everyone shown consented to the photo, and
        faces marked for blurring have their blurred version."""
        return [
            photo
            for photo in self.photos.all()
            if not (photo.must_blur_faces and not photo.blurred_image)
            and all(
                self.disclosure_of(p).allows(Scope.PHOTO)
                for p in photo.people_shown.all()
            )
        ]

    def sensitive_details_published(self) -> list[str]:
        """The sensitive details readers will see, for the impact assessment."""
        return [label for label, missing in self.detail_checks if not missing]

    def assistance_totals(self) -> list["AssistanceTotal"]:
        return AssistanceTotal.of(self.public_assistance())


class StoryPerson(StoryLine):
    TEXT_FIELDS = ["role"]

    story = models.ForeignKey(Story, verbose_name=_("故事"), on_delete=models.CASCADE)
    person = models.ForeignKey(Person, verbose_name=_("人物"), on_delete=models.PROTECT)
    role = models.CharField(
        _("在故事中的身份"),
        max_length=60,
        blank=True,
        help_text=_("如“受助学生”“爷爷”。"),
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("故事人物")
        verbose_name_plural = _("故事人物")
        constraints = [
            models.UniqueConstraint(
                fields=["story", "person"], name="story_person_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.story}"


class Measure(models.TextChoices):
    MINIMUM_LIVING = "minimum_living", _("最低生活保障（低保）")
    DISABILITY_ALLOWANCE = "disability_allowance", _("困难残疾人生活补贴")
    RAIN_DEW = "rain_dew", _("“雨露计划”补助")
    EDUCATION_AID = "education_aid", _("教育补助")
    DONATION = "donation", _("社会捐赠")
    INDUSTRY_SUBSIDY = "industry_subsidy", _("产业奖补")
    EMPLOYMENT = "employment", _("就业帮扶")
    MEDICAL = "medical", _("医疗保障")
    HOUSING = "housing", _("住房保障")
    TRAINING = "training", _("技能培训")
    MICROCREDIT = "microcredit", _("扶贫小额信贷")
    DIVIDEND = "dividend", _("集体经济分红")
    OTHER = "other", _("其他")


class Assistance(StoryLine, Quantity):
    """One line of help a household received: what, from whom, how much, how often."""

    TEXT_FIELDS = ["description", "provider"]

    class Period(models.TextChoices):
        ONCE = "once", _("一次性")
        MONTHLY = "monthly", _("每月")
        TERM = "term", _("每学期")
        YEARLY = "yearly", _("每年")

    class ProviderType(models.TextChoices):
        GOVERNMENT = "government", _("政府")
        COMPANY = "company", _("企业")
        CHARITY = "charity", _("慈善组织")
        COLLECTIVE = "collective", _("村集体")
        OTHER = "other", _("其他")

    story = models.ForeignKey(
        Story,
        verbose_name=_("故事"),
        on_delete=models.CASCADE,
        related_name="assistance",
    )
    measure = models.CharField(
        _("帮扶措施"), max_length=32, choices=Measure, db_index=True
    )
    description = models.CharField(
        _("说明"),
        max_length=200,
        blank=True,
        help_text=_("如“B类低保金”“秋季学期捐资助学”。"),
    )
    provider = models.CharField(_("提供方"), max_length=120, blank=True)
    provider_type = models.CharField(
        _("提供方类型"),
        max_length=16,
        choices=ProviderType,
        default=ProviderType.GOVERNMENT,
    )
    recipient = models.ForeignKey(
        Person,
        verbose_name=_("受助人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assistance",
        help_text=_("惠及全家时留空，并填写“覆盖人数”。"),
    )
    covers_people = models.PositiveSmallIntegerField(
        _("覆盖人数"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    period = models.CharField(
        _("频次"), max_length=16, choices=Period, default=Period.ONCE
    )
    year = models.PositiveSmallIntegerField(
        _("年份"), null=True, blank=True, validators=year_validators
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("帮扶明细")
        verbose_name_plural = _("帮扶明细")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value__gte=0), name="assistance_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} {self.display}"


class AssistanceTotal:
    """The sum of a story's assistance for one frequency and unit: 1500元 once plus
    2000元 once is 3500元 once, but 648元 a month is never added to them."""

    def __init__(
        self, period: str, unit: str, value: Decimal, approximate: bool, lines: int
    ):
        self.period, self.unit, self.value = period, unit, value
        self.approximate, self.lines = approximate, lines

    @property
    def period_label(self) -> str:
        return Assistance.Period(self.period).label

    @property
    def display(self) -> str:
        return (
            f"{format_number(self.value)}{'多' if self.approximate else ''}{self.unit}"
        )

    @classmethod
    def of(cls, lines) -> list["AssistanceTotal"]:
        groups: dict[tuple[str, str], list[Assistance]] = defaultdict(list)
        for line in lines:
            groups[(line.period, line.base_unit)].append(line)
        order = list(Assistance.Period.values)
        return [
            cls(
                period,
                unit,
                sum((line.base_value for line in group), Decimal(0)),
                any(not line.is_exact for line in group),
                len(group),
            )
            for (period, unit), group in sorted(
                groups.items(), key=lambda g: order.index(g[0][0])
            )
        ]


class Outcome(StoryLine, Quantity):
    """What changed: a wage, an income, a harvest, with its period."""

    TEXT_FIELDS = ["description", "period_label"]

    story = models.ForeignKey(
        Story, verbose_name=_("故事"), on_delete=models.CASCADE, related_name="outcomes"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("人物"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outcomes",
    )
    description = models.CharField(
        _("内容"), max_length=200, help_text=_("如“在木板厂务工的月收入”。")
    )
    period_label = models.CharField(
        _("时期"),
        max_length=60,
        blank=True,
        help_text=_("如“每月”“2018年”“今年以来”。"),
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("变化")
        verbose_name_plural = _("变化")

    def __str__(self) -> str:
        return f"{self.description} {self.display}"


class StoryPhoto(Photo, StoryLine):
    TEXT_FIELDS = ["caption", "alt_text", "credit"]
    story = models.ForeignKey(
        Story, verbose_name=_("故事"), on_delete=models.CASCADE, related_name="photos"
    )
    must_blur_faces = models.BooleanField(
        _("必须给人脸打码"),
        default=False,
        help_text=_("勾选后，须上传打码后的版本才能发布；读者只看到打码版。"),
    )
    blurred_image = models.ImageField(
        _("打码后的图片"),
        upload_to=private_photo_name,
        storage=private_photo_storage,
        blank=True,
    )
    people_shown = models.ManyToManyField(
        Person,
        verbose_name=_("图中人物"),
        blank=True,
        related_name="photos",
        help_text=_("照片里能认出的人。隐私规则据此决定照片能否公开。"),
    )

    class Meta(Photo.Meta):
        verbose_name = _("故事图片")
        verbose_name_plural = _("故事图片")

    def __str__(self) -> str:
        return super().__str__()

    def source_for_readers(self):
        """The private file a public copy is made from: only the blurred
        version when faces must be blurred. Whether the photo may be shown at
        all is Story.public_photos's decision."""
        if self.must_blur_faces:
            return self.blurred_image or None
        return self.image or None


class Concern(models.Model):
    """That a story concerns a person, in any role: featured, receiving
    assistance, named in an outcome or shown in a photo. A database view over
    those four tables, so it can never disagree with them; nothing writes to it.
    `migrate` drops it first and makes it again last (stories/apps.py): SQLite
    cannot alter a table a view reads."""

    VIEW = """
        CREATE VIEW stories_concern AS
        SELECT story_id, person_id FROM stories_storyperson
        UNION SELECT story_id, recipient_id FROM stories_assistance
            WHERE recipient_id IS NOT NULL
        UNION SELECT story_id, person_id FROM stories_outcome
            WHERE person_id IS NOT NULL
        UNION SELECT photo.story_id, shown.person_id
            FROM stories_storyphoto_people_shown shown
            JOIN stories_storyphoto photo ON photo.id = shown.storyphoto_id
    """

    pk = models.CompositePrimaryKey("story_id", "person_id")
    story = models.ForeignKey(
        Story, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    person = models.ForeignKey(
        Person, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )

    class Meta:
        managed = False
        db_table = "stories_concern"
        verbose_name = _("故事涉及的人")
        verbose_name_plural = _("故事涉及的人")

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.story_id}"


def site_protected_names() -> ProtectedNames:
    """Every name any story protects (privacy.rules.site_name_replacements)."""
    names = ProtectedNames()
    stories = (
        Story.objects.filter(pk__in=Concern.objects.values("story_id"))
        .only("pk", "source_date", "published_at")
        .with_people()
        .order_by()
    )
    for story in stories.iterator(chunk_size=2000):
        names.update_from(story.name_replacements)
    return names


def people_named(candidates: set[str]) -> set[str]:
    """The real names of the people whose full name, or (three characters and
    more) given name, is one of the candidates (privacy.addresses): one query
    on the two indexes, however many people there are."""
    return set(
        Person.objects.annotate(given_name=Substr("real_name", 2))
        .filter(
            models.Q(real_name__in=candidates) | models.Q(given_name__in=candidates)
        )
        .order_by()
        .values_list("real_name", flat=True)
        .distinct()
    )


# A story is versioned together with its people, assistance, outcomes and
# photos, so that a version can be compared and restored whole.
for _line in (StoryPerson, Assistance, Outcome):
    reversion.register(_line)
reversion.register(StoryPhoto, exclude=PHOTO_COPY_FIELDS)
reversion.register(
    Story, follow=("storyperson_set", "assistance", "outcomes", "photos")
)
# Changing a person changes every story they appear in: people are versioned
# with their consents, households with their members.
reversion.register(Person, follow=("consents",))
reversion.register(Household, follow=("members",))
