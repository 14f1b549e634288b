"""Spreadsheet columns for regions, programs and their figures.

Each resource names its columns as an office would write them and matches rows
on natural keys (a region's division code, a program's slug), so that
importing the same file twice changes nothing.
"""

from operator import attrgetter

from django.core.exceptions import ValidationError
from django.db.models import Q

from programs.abstract import Qualifier, write_stated
from programs.models import Category, Figure, Program, Region
from programs.spreadsheets import (
    BoolWidget,
    ChoiceWidget,
    DateTimeWidget,
    DateWidget,
    IntWidget,
    LookupWidget,
    PublishableResource,
    QuantityField,
    SpreadsheetResource,
    TextWidget,
    clean_text,
    field,
    header_key,
)

QUALIFIER_WORDS = {
    "多": Qualifier.MORE,
    "余": Qualifier.ODD,
    "超过": Qualifier.OVER,
    "约": Qualifier.ABOUT,
    "近": Qualifier.NEARLY,
    "确数": Qualifier.EXACT,
}


class RegionWidget(LookupWidget):
    """A region by its division code or, for a township or village without
    one, by its address on the site (500229-修齐镇)."""

    def __init__(self):
        super().__init__(Region, "code", "区划代码")

    def lookup(self, text: str, row):
        region = Region.objects.filter(Q(code=text) | Q(slug=text)).first()
        if region is None:
            raise ValueError(f"找不到区划代码为“{text}”的地区")
        return region

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.code or value.slug


class RegionResource(SpreadsheetResource):
    code = field("code", "地区代码")
    name = field("name", "名称")
    level = field(
        "level",
        "层级",
        ChoiceWidget(
            Region.Level.choices,
            extra={
                "省": 1,
                "市": 2,
                "地": 2,
                "县": 3,
                "区": 3,
                "乡": 4,
                "镇": 4,
                "村": 5,
            },
        ),
    )
    parent = field("parent", "上级地区代码", RegionWidget())

    aliases = {
        "区划代码": "地区代码",
        "行政区划代码": "地区代码",
        "统计用区划代码": "地区代码",
        "代码": "地区代码",
        "地区名称": "名称",
        "地区": "名称",
        "级别": "层级",
        "上级代码": "上级地区代码",
        "上级区划代码": "上级地区代码",
    }
    key_columns = ("地区代码", "上级地区代码", "名称")
    unvalidated = ("slug",)

    class Meta:
        model = Region
        fields = ("code", "name", "level", "parent")
        import_id_fields = ("code",)
        name = "地区"

    def get_queryset(self):
        return Region.objects.select_related("parent")

    def required_columns(self) -> list[str]:
        return ["地区代码", "名称"]

    def row_key(self, row) -> tuple:
        # A township or village without a code is known by its parent and name.
        code = header_key(row.get("地区代码"))
        if code:
            return (code,)
        return (header_key(row.get("上级地区代码")), header_key(row.get("名称")))

    def get_instance(self, instance_loader, row):
        code = clean_text(row.get("地区代码")).strip()
        if code:
            return Region.objects.filter(code=code).first()
        name = clean_text(row.get("名称")).strip()
        try:
            parent = self.fields["parent"].clean(row) if "上级地区代码" in row else None
        except ValueError as exc:
            raise ValidationError({"上级地区代码": str(exc)}) from None
        if parent is None:
            raise ValidationError(
                {"地区代码": "没有区划代码的地区须填写上级地区代码，才能识别"}
            )
        return Region.objects.filter(parent=parent, name=name).first()


class ProgramResource(PublishableResource):
    slug = field("slug", "网址标识")
    title = field("title", "标题")
    region = field("region", "地区代码", RegionWidget())
    category = field("category", "类别", ChoiceWidget(Category.choices))
    parent = field("parent", "所属项目", LookupWidget(Program, "slug", "网址标识"))
    summary = field("summary", "摘要", TextWidget(multiline=True))
    body = field("body", "正文", TextWidget(multiline=True))
    start_year = field("start_year", "起始年份", IntWidget())
    end_year = field("end_year", "结束年份", IntWidget())
    lead_organisation = field("lead_organisation", "牵头单位")
    source_publication = field("source_publication", "来源媒体")
    source_byline = field("source_byline", "来源署名")
    source_date = field("source_date", "来源日期", DateWidget())
    status = field(
        "status", "状态", ChoiceWidget(Program.Status.choices), readonly=True
    )
    published_at = field("published_at", "上线时间", DateTimeWidget(), readonly=True)

    aliases = {
        "项目名称": "标题",
        "名称": "标题",
        "项目": "标题",
        "标识": "网址标识",
        "区划代码": "地区代码",
        "地区": "地区代码",
        "项目类别": "类别",
        "分类": "类别",
        "上级项目": "所属项目",
        "简介": "摘要",
        "内容": "正文",
        "开始年份": "起始年份",
        "实施单位": "牵头单位",
        "责任单位": "牵头单位",
        "来源": "来源媒体",
        "署名": "来源署名",
        "日期": "来源日期",
        "发表日期": "来源日期",
    }
    key_columns = ("网址标识",)

    class Meta:
        model = Program
        fields = (
            "slug",
            "title",
            "region",
            "category",
            "parent",
            "summary",
            "body",
            "start_year",
            "end_year",
            "lead_organisation",
            "source_publication",
            "source_byline",
            "source_date",
            "status",
            "published_at",
        )
        import_id_fields = ("slug",)
        name = "扶贫项目"

    def get_queryset(self):
        return Program.objects.select_related("region", "parent")

    def plausibility(self, instance) -> list[str]:
        notes = super().plausibility(instance)
        if instance.pk is None:
            return notes
        start, end = instance.start_year, instance.end_year
        years = instance.figures.exclude(year=None).values_list("year", flat=True)
        outside = sorted(
            {y for y in years if (start and y < start) or (end and y > end)}
        )
        if outside:
            column = self.column_of(
                "start_year" if start and outside[0] < start else "end_year"
            )
            listed = "、".join(f"{y}年" for y in outside)
            period = instance.period_display or f"至{end}年"
            notes.append(
                f"“{column}”：项目已有{listed}的数据，不在实施期（{period}）之内，"
                "请核对"
            )
        return notes


class FigureResource(SpreadsheetResource):
    program = field("program", "项目", LookupWidget(Program, "slug", "网址标识"))
    indicator = field("indicator", "指标")
    value = QuantityField("数值")
    unit = field("unit", "单位", readonly=True)
    qualifier = field(
        "qualifier",
        "修饰",
        ChoiceWidget(Qualifier.choices, extra=QUALIFIER_WORDS),
        readonly=True,
    )
    year = field("year", "年份", IntWidget())
    period_label = field("period_label", "统计期")
    as_of = field("as_of", "截至日期", DateWidget())
    is_headline = field("is_headline", "首页要闻数字", BoolWidget())
    source_note = field("source_note", "出处")
    order = field("order", "排序", IntWidget(), default=0)

    aliases = {
        "项目网址标识": "项目",
        "项目标识": "项目",
        "指标名称": "指标",
        "数字": "数值",
        "数据": "数值",
        "数量": "数值",
        "金额": "数值",
        "资金投入": "数值",
        "投入资金": "数值",
        "时期": "统计期",
        "时间": "统计期",
        "截止日期": "截至日期",
        "要闻": "首页要闻数字",
        "来源": "出处",
        "序号": "排序",
    }
    key_columns = ("项目", "指标", "年份", "统计期")
    fast_path = True

    class Meta:
        model = Figure
        fields = (
            "program",
            "indicator",
            "value",
            "unit",
            "qualifier",
            "year",
            "period_label",
            "as_of",
            "is_headline",
            "source_note",
            "order",
        )
        import_id_fields = ("program", "indicator", "year", "period_label")
        name = "数据"

    def get_queryset(self):
        return Figure.objects.select_related("program")

    def required_columns(self) -> list[str]:
        return ["项目", "指标", "数值"]

    def get_instance(self, instance_loader, row):
        # A sheet without 年份 or 统计期 means "none stated", not "any".
        for column in ("年份", "统计期"):
            row.setdefault(column, "")
        return super().get_instance(instance_loader, row)

    def trail_item(self, instance):
        return instance.program

    def start_stream(self, headers) -> list[str]:
        self.known = {}
        return super().start_stream(headers)

    # Plausibility ---------------------------------------------------------

    def known_figures(self, program) -> "KnownFigures":
        """The program's figures as the import goes: those stored, then the
        file's rows in their place, by (indicator, year, statistics period)."""
        if not hasattr(self, "known"):
            self.known = {}
        if program.pk not in self.known:
            known = KnownFigures()
            for f in Figure.objects.filter(program=program):
                known.put((f.indicator, f.year, f.period_label), Seen(f))
            self.known[program.pk] = known
        return self.known[program.pk]

    def plausibility(self, instance) -> list[str]:
        notes = super().plausibility(instance)
        program = instance.program if instance.program_id else None
        if program is None or instance.value is None:
            return notes
        year, column = instance.year, self.column_of("value")
        start, end = program.start_year, program.end_year
        if year and ((start and year < start) or (end and year > end)):
            notes.append(
                f"“{self.column_of('year')}”：{year}年不在项目“{program.title}”"
                f"的实施期（{program.period_display}）之内，请核对"
            )
        known = self.known_figures(program)
        key = (instance.indicator, instance.year, instance.period_label)
        this = Seen(instance, self.current_line)
        # One note per row, against the most telling figure of the period:
        # a sheet of many indicators would otherwise warn of every pair.
        value_of = attrgetter("value")
        if this.unit == "人":
            most = max(known.counted(key, "户"), key=value_of, default=None)
            if most is not None and this.value < most.value:
                notes.append(
                    f"“{column}”：{this.display}少于同期的{most.describe()}，"
                    "人数不应少于户数，请核对"
                )
        elif this.unit == "户":
            fewest = min(known.counted(key, "人"), key=value_of, default=None)
            if fewest is not None and fewest.value < this.value:
                notes.append(
                    f"“{column}”：{this.display}多于同期的{fewest.describe()}，"
                    "户数不应多于人数，请核对"
                )
        for other in known.same_indicator(key):
            if (
                other.unit != this.unit
                or not (year and other.year and abs(other.year - year) == 1)
                or not (this.value > 0 and other.value > 0)
            ):
                continue
            ratio = max(this.value, other.value) / min(this.value, other.value)
            if ratio > 10:
                notes.append(
                    f"“{column}”：{this.display}与{other.year}年的"
                    f"{other.describe()}相差{ratio:.0f}倍，请核对"
                )
        known.put(key, this)
        return notes

    def import_row(self, row, instance_loader, **kwargs):
        self.current_line = self.line(kwargs.get("row_number", 0))
        return super().import_row(row, instance_loader, **kwargs)


class KnownFigures:
    """A program's figures by (indicator, year, statistics period), indexed
    by period and unit (only people and households are compared across
    indicators) and by indicator: a check looks at the few figures it can
    compare with, not at every figure of the program (which made a
    100,000-row file take quadratic time)."""

    COUNTED = ("人", "户")

    def __init__(self):
        self.by_period: dict[tuple, dict[tuple, Seen]] = {}
        self.by_indicator: dict[str, dict[tuple, Seen]] = {}

    def put(self, key: tuple, seen: "Seen") -> None:
        indicator, year, period = key
        same = self.by_indicator.setdefault(indicator, {})
        before = same.get(key)
        if before is not None and before.unit in self.COUNTED:
            del self.by_period[(year, period, before.unit)][key]
        if seen.unit in self.COUNTED:
            self.by_period.setdefault((year, period, seen.unit), {})[key] = seen
        same[key] = seen

    def counted(self, key: tuple, unit: str) -> list["Seen"]:
        """The other figures of the key's period counted in 人 or 户."""
        _indicator, year, period = key
        found = self.by_period.get((year, period, unit), {})
        return [seen for k, seen in found.items() if k != key]

    def same_indicator(self, key: tuple) -> list["Seen"]:
        found = self.by_indicator.get(key[0], {})
        return [seen for k, seen in found.items() if k != key]


class Seen:
    """A figure as plausibility checks compare it: in its base unit (人, 户,
    元), wherever it came from (the database or a line of the file). One is
    kept for every line of a file: it holds numbers and words, not the line,
    and writes itself out only for a warning."""

    __slots__ = ("indicator", "year", "period_label", "unit", "value", "stated", "line")

    def __init__(self, figure, line: int | None = None):
        self.indicator, self.year = figure.indicator, figure.year
        self.period_label = figure.period_label
        self.unit, self.value = figure.base_unit, figure.base_value
        self.stated = (
            figure.value,
            figure.unit,
            figure.qualifier,
            figure.qualifier_after_magnitude,
        )
        self.line = line  # of the file; None: stored before

    @property
    def display(self) -> str:
        return write_stated(*self.stated)

    def describe(self) -> str:
        where = "已有数据" if self.line is None else f"第{self.line}行"
        return f"“{self.indicator}”{self.display}（{where}）"
