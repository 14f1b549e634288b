"""Spreadsheet columns for stories, the people in them and their assistance."""

from django.core.exceptions import ValidationError

from programs.abstract import Qualifier
from programs.models import Program
from programs.resources import QUALIFIER_WORDS, RegionWidget
from programs.spreadsheets import (
    BoolWidget,
    ChoiceWidget,
    DateTimeWidget,
    DateWidget,
    IntWidget,
    ListWidget,
    LookupWidget,
    PublishableResource,
    QuantityField,
    SpreadsheetResource,
    TextWidget,
    clean_text,
    field,
)
from stories.models import Assistance, Cause, Household, Measure, Person, Story


class StoryResource(PublishableResource):
    slug = field("slug", "网址标识")
    title = field("title", "标题")
    dek = field("dek", "导语")
    body = field("body", "正文", TextWidget(multiline=True))
    byline = field("byline", "作者署名")
    region = field("region", "地区代码", RegionWidget())
    programs = field("programs", "相关项目", ListWidget(Program, "slug", "网址标识"))
    causes = field("causes", "致贫原因", ListWidget(Cause, "name", "名称"))
    outcome = field("outcome", "变化", TextWidget(multiline=True))
    source_publication = field("source_publication", "来源媒体")
    source_date = field("source_date", "来源日期", DateWidget())
    mentions_health = field("mentions_health", "正文写到健康或残疾情况", BoolWidget())
    status = field("status", "状态", ChoiceWidget(Story.Status.choices), readonly=True)
    published_at = field("published_at", "上线时间", DateTimeWidget(), readonly=True)

    aliases = {
        "故事标题": "标题",
        "题目": "标题",
        "标识": "网址标识",
        "摘要": "导语",
        "内容": "正文",
        "作者": "作者署名",
        "署名": "作者署名",
        "区划代码": "地区代码",
        "地区": "地区代码",
        "项目": "相关项目",
        "致贫原因（可多选）": "致贫原因",
        "帮扶成效": "变化",
        "来源": "来源媒体",
        "日期": "来源日期",
        "涉及健康": "正文写到健康或残疾情况",
    }
    key_columns = ("网址标识",)

    class Meta:
        model = Story
        fields = (
            "slug",
            "title",
            "dek",
            "body",
            "byline",
            "region",
            "programs",
            "causes",
            "outcome",
            "source_publication",
            "source_date",
            "mentions_health",
            "status",
            "published_at",
        )
        import_id_fields = ("slug",)
        name = "人物故事"

    def get_queryset(self):
        return Story.objects.select_related("region").prefetch_related(
            "programs", "causes"
        )


class HouseholdWidget(LookupWidget):
    def __init__(self):
        super().__init__(Household, "name", "户名")


class PersonResource(SpreadsheetResource):
    real_name = field("real_name", "真实姓名")
    household = field("household", "户名", HouseholdWidget())
    gender = field("gender", "性别", ChoiceWidget(Person.Gender.choices))
    birth_year = field("birth_year", "出生年份", IntWidget())
    age = field("age", "年龄", IntWidget())
    age_as_of = field("age_as_of", "年龄对应日期", DateWidget())
    household_role = field(
        "household_role", "家庭角色", ChoiceWidget(Person.Role.choices)
    )
    description = field("description", "简介")
    display_policy = field(
        "display_policy",
        "公开显示方式",
        ChoiceWidget(Person.DisplayPolicy.choices, extra={"真实姓名": "real_name"}),
    )
    pseudonym = field("pseudonym", "化名")

    aliases = {
        "姓名": "真实姓名",
        "名字": "真实姓名",
        "家庭": "户名",
        "所在家庭": "户名",
        "出生年": "出生年份",
        "与户主关系": "家庭角色",
        "角色": "家庭角色",
        "说明": "简介",
        "显示方式": "公开显示方式",
    }
    key_columns = ("真实姓名", "户名")

    # The admin's list marks the people and households hidden from its user
    # (editorial.people.with_names_hidden); the file shows them as the list does.
    # Unmarked rows count as hidden to staff without the privacy permission.

    def dehydrate_real_name(self, person: Person) -> str:
        if self.shows_real_names:
            return person.real_name
        if getattr(person, "name_hidden", True):
            return person.protected_name
        return person.public_name()

    def dehydrate_household(self, person: Person) -> str:
        household = person.household
        if household is None:
            return ""
        if self.shows_real_names or not getattr(person, "household_name_hidden", True):
            return household.name
        return household.protected_name

    class Meta:
        model = Person
        fields = (
            "real_name",
            "household",
            "gender",
            "birth_year",
            "age",
            "age_as_of",
            "household_role",
            "description",
            "display_policy",
            "pseudonym",
        )
        import_id_fields = ("real_name", "household")
        name = "人物"

    def required_columns(self) -> list[str]:
        return ["真实姓名"]

    def get_queryset(self):
        return Person.objects.select_related("household")

    def get_instance(self, instance_loader, row):
        row.setdefault("户名", "")
        return super().get_instance(instance_loader, row)


class RecipientWidget(LookupWidget):
    """A recipient by real name, among the story's people first."""

    def __init__(self):
        super().__init__(Person, "real_name", "姓名")

    def memo_key(self, text: str, row):
        return (clean_text((row or {}).get("故事")).strip(), text)

    def get_queryset(self, value, row, *args, **kwargs):
        slug = clean_text((row or {}).get("故事")).strip()
        people = Person.objects.filter(stories__slug=slug, real_name=value)
        return people if people.exists() else Person.objects.all()


class AssistanceResource(SpreadsheetResource):
    story = field("story", "故事", LookupWidget(Story, "slug", "网址标识"))
    order = field("order", "序号", IntWidget())
    measure = field("measure", "帮扶措施", ChoiceWidget(Measure.choices))
    description = field("description", "说明")
    provider = field("provider", "提供方")
    provider_type = field(
        "provider_type", "提供方类型", ChoiceWidget(Assistance.ProviderType.choices)
    )
    recipient = field("recipient", "受助人", RecipientWidget())
    covers_people = field("covers_people", "覆盖人数", IntWidget())
    value = QuantityField("金额")
    unit = field("unit", "单位", readonly=True)
    qualifier = field(
        "qualifier",
        "修饰",
        ChoiceWidget(Qualifier.choices, extra=QUALIFIER_WORDS),
        readonly=True,
    )
    period = field("period", "频次", ChoiceWidget(Assistance.Period.choices))
    year = field("year", "年份", IntWidget())

    aliases = {
        "故事网址标识": "故事",
        "故事标识": "故事",
        "排序": "序号",
        "行号": "序号",
        "措施": "帮扶措施",
        "帮扶类型": "帮扶措施",
        "内容": "说明",
        "帮扶单位": "提供方",
        "资助方": "提供方",
        "受助人姓名": "受助人",
        "惠及人数": "覆盖人数",
        "数值": "金额",
        "数额": "金额",
        "帮扶金额": "金额",
        "资金": "金额",
        "资金投入": "金额",
        "投入资金": "金额",
        "发放频次": "频次",
        "周期": "频次",
    }
    key_columns = ("故事", "序号")
    fast_path = True

    class Meta:
        model = Assistance
        fields = (
            "story",
            "order",
            "measure",
            "description",
            "provider",
            "provider_type",
            "recipient",
            "covers_people",
            "value",
            "unit",
            "qualifier",
            "period",
            "year",
        )
        import_id_fields = ("story", "order")
        name = "帮扶明细"

    def required_columns(self) -> list[str]:
        return ["故事", "序号", "帮扶措施", "金额"]

    def get_queryset(self):
        return Assistance.objects.select_related("story", "recipient")

    def dehydrate_recipient(self, line: Assistance) -> str:
        # As the admin's list names the recipient (see PersonResource).
        recipient = line.recipient
        if recipient is None:
            return ""
        if self.shows_real_names or not getattr(line, "recipient_hidden", True):
            return recipient.real_name
        return recipient.protected_name

    def trail_item(self, instance):
        return instance.story

    def plausibility(self, instance) -> list[str]:
        notes = super().plausibility(instance)
        people = instance.covers_people
        if (
            people
            and instance.value is not None
            and instance.base_unit == "户"
            and people < instance.base_value
        ):
            notes.append(
                f"“{self.column_of('covers_people')}”：{people}人少于"
                f"“{self.column_of('value')}”的{instance.display}，"
                "人数不应少于户数，请核对"
            )
        return notes

    def get_instance(self, instance_loader, row):
        try:
            return super().get_instance(instance_loader, row)
        except ValidationError:
            raise
        except Assistance.MultipleObjectsReturned:
            raise ValidationError(
                {"序号": "这个故事有不止一条相同序号的帮扶明细"}
            ) from None
