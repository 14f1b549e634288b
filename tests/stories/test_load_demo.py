import datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from programs.models import Figure, Program, ProgramPhoto, Region
from stories.models import (
    Assistance,
    Cause,
    Household,
    Outcome,
    Person,
    Story,
    StoryPerson,
    StoryPhoto,
)

pytestmark = pytest.mark.django_db

MODELS = [
    Region,
    Program,
    Figure,
    ProgramPhoto,
    Cause,
    Household,
    Person,
    Story,
    StoryPerson,
    Assistance,
    Outcome,
    StoryPhoto,
    Story.programs.through,
    Story.causes.through,
    StoryPhoto.people_shown.through,
]

# Every figure, program by program, in order, exactly as the seed page words it.
SEED_FIGURES = {
    "hunyuan-rural-tourism": ["2077万元", "7个", "1115户", "2689人"],
    "hunyuan-ecommerce": [
        "2680万元",
        "4600多万元",
        "2000平方米",
        "100多种",
        "10个",
        "220个",
        "70%",
        "14家",
        "15个",
        "224期",
        "1.1万人",
    ],
    "chengkou-collective-economy": ["25个", "190个", "187个"],
    "chengkou-xiuqi-mushroom-leasing": [
        "6个",
        "12个",
        "248万元",
        "1000元",
        "110余户",
        "2.5万元",
    ],
    "chengkou-lanxi-homestays": ["225户", "20多万元"],
    "chengkou-xiangxi-tea": ["超过80万元"],
    "chengkou-guangming-construction": ["18万余元", "30名", "2000元"],
    "gangnan-precise-assistance": ["50个", "1.24万多户", "4.74万多人"],
    "gangnan-education": ["4749名", "407.86万元", "3044名", "513多万元"],
    "gangnan-health": ["100%", "4686名", "132名", "1186名", "1186份"],
    "gangnan-industry": ["2000元", "9734户", "1946.8万元"],
}

CHILD_NAMES = ["潘长君", "长君", "潘蔼章", "蔼章", "张仕娣", "仕娣"]


def load(verbosity: int = 1) -> str:
    out = StringIO()
    call_command("load_demo", stdout=out, verbosity=verbosity)
    return out.getvalue()


def snapshot() -> dict:
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in MODELS
    }


def updated_at() -> dict:
    return {
        model._meta.label: dict(model.objects.values_list("pk", "updated_at"))
        for model in MODELS
        if any(f.name == "updated_at" for f in model._meta.fields)
    }


def story(real_name: str) -> Story:
    return Story.objects.get(people__real_name=real_name)


# -- idempotence -------------------------------------------------------------


def test_the_first_run_reports_what_it_created_in_chinese():
    output = load()
    assert "演示数据载入完成" in output
    assert "扶贫项目：新建 15" in output
    assert "合计：新建" in output


def test_a_second_run_changes_nothing():
    load()
    counts = {label: len(rows) for label, rows in snapshot().items()}
    stamps, rows = updated_at(), snapshot()

    output = load()

    assert {label: len(r) for label, r in snapshot().items()} == counts
    assert updated_at() == stamps
    assert snapshot() == rows
    assert "合计：新建 0，更新 0，删除 0" in output
    assert "没有修改任何内容" in output
    assert all(counts[m._meta.label] > 0 for m in MODELS[:11])


def test_a_changed_or_missing_row_is_put_back_and_nothing_else_is_touched():
    load()
    ecommerce = Program.objects.get(slug="hunyuan-ecommerce")
    figure = ecommerce.figures.get(year=2018)
    figure.value = Decimal("2681")
    figure.save()
    Assistance.objects.filter(story=story("叶寿恒"), order=2).delete()
    Figure.objects.create(program=ecommerce, indicator="多出来的数字", value=1)
    Story.objects.filter(slug="jiayuan-mushroom-picker").update(title="改过的标题")
    stamps = updated_at()

    output = load()

    assert ecommerce.figures.get(year=2018).display == "2680万元"
    assert not ecommerce.figures.filter(indicator="多出来的数字").exists()
    assert [a.display for a in story("叶寿恒").assistance.all()] == [
        "2000元",
        "1500元",
        "3000元",
    ]
    assert Story.objects.get(slug="jiayuan-mushroom-picker").title != "改过的标题"
    after = updated_at()
    changed = {
        label: [pk for pk, stamp in rows.items() if after[label][pk] != stamp]
        for label, rows in stamps.items()
    }
    assert changed == {
        "programs.Program": [],
        "stories.Story": [Story.objects.get(slug="jiayuan-mushroom-picker").pk],
    }
    assert "删除 1" in output


def test_quiet_runs_print_nothing():
    assert load(verbosity=0) == ""


def test_causes_that_already_exist_are_left_alone():
    Cause.objects.filter(slug="illness").update(order=42)
    load()
    assert Cause.objects.count() == 11
    assert Cause.objects.get(slug="illness").order == 42
    assert set(Cause.objects.values_list("name", flat=True)) >= {"因学", "缺劳力"}


# -- figures -------------------------------------------------------------------


def test_every_figure_reads_exactly_as_the_seed_wrote_it(demo):
    displays = {
        program.slug: [f.display for f in program.figures.order_by("order")]
        for program in Program.objects.filter(figures__isnull=False).distinct()
    }
    assert displays == SEED_FIGURES


def test_online_sales_are_one_indicator_over_two_years(demo):
    program = Program.objects.get(slug="hunyuan-ecommerce")
    [sales] = [i for i in program.indicators() if i.name == "农产品网络零售额"]
    assert sales.is_series
    assert [(f.year, f.period_label, f.display) for f in sales.figures] == [
        (2018, "2018年", "2680万元"),
        (2019, "截至2019年11月", "4600多万元"),
    ]


def test_figures_the_seed_reports_as_of_now_claim_no_invented_day(demo):
    assert Figure.objects.filter(period_label="截至2019年11月").count() > 5
    assert not Figure.objects.filter(as_of__isnull=False).exists()
    assert Figure.objects.filter(year__isnull=True).count() == 0


def test_a_few_telling_figures_are_headlines(demo):
    headlines = Figure.objects.filter(is_headline=True)
    assert 4 <= headlines.count() <= 6
    assert "4600多万元" in [f.display for f in headlines]
    assert headlines.values("program").distinct().count() >= 3


# -- regions and programs -----------------------------------------------------


def test_regions_form_the_official_hierarchy(demo):
    def chain(region: Region) -> list[tuple[str, str]]:
        return [(r.name, r.code) for r in [*region.ancestors(), region]]

    assert chain(Region.objects.get(name="藏经庄村")) == [
        ("山西省", "140000"),
        ("大同市", "140200"),
        ("浑源县", "140225"),
        ("藏经庄村", ""),
    ]
    assert chain(Region.objects.get(name="光明村")) == [
        ("重庆市", "500000"),
        ("城口县", "500229"),
        ("坪坝镇", ""),
        ("光明村", ""),
    ]
    assert chain(Region.objects.get(name="锦垌村")) == [
        ("广西壮族自治区", "450000"),
        ("贵港市", "450800"),
        ("港南区", "450803"),
        ("桥圩镇", ""),
        ("锦垌村", ""),
    ]
    assert chain(Region.objects.get(name="天柱县"))[1] == (
        "黔东南苗族侗族自治州",
        "522600",
    )
    assert Region.objects.get(code="500000").level == Region.Level.PROVINCE
    assert Region.objects.get(name="葛城街道").level == Region.Level.TOWNSHIP
    assert Region.objects.get(name="藏经庄村").level == Region.Level.VILLAGE
    assert Region.objects.count() == 24
    for region in Region.objects.all():
        region.full_clean()


def test_programs_are_published_with_their_source(demo):
    published_at = datetime.datetime(
        2019, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")
    )
    for program in Program.objects.all():
        assert program.status == Program.Status.PUBLISHED
        assert program.published_at == published_at
        assert program.source_publication == "报纸扶贫专版（2019年11月）"
        assert program.source_date is None
        assert program.body.count("\n\n") >= 2, program.slug
    assert Program.objects.filter(is_featured=True).count() >= 2
    assert (
        Program.objects.get(slug="hunyuan-ecommerce").source_byline
        == "本报记者 梁婧 刘存瑞 通讯员 安兴旺"
    )
    assert (
        Program.objects.get(slug="chengkou-collective-economy").source_byline
        == "本报记者 吴陆牧"
    )


def test_county_programs_have_their_parts(demo):
    def parts(slug: str) -> set[str]:
        return set(Program.objects.get(slug=slug).parts.values_list("slug", flat=True))

    assert parts("hunyuan-new-drivers") == {
        "hunyuan-rural-tourism",
        "hunyuan-ecommerce",
        "hunyuan-consumption",
    }
    assert len(parts("chengkou-collective-economy")) == 5
    assert parts("gangnan-precise-assistance") == {
        "gangnan-education",
        "gangnan-health",
        "gangnan-industry",
    }
    regions = Program.objects.filter(
        parent__slug="chengkou-collective-economy"
    ).values_list("region__name", flat=True)
    assert set(regions) == {"修齐镇", "岚溪村", "香溪村", "棉沙村", "光明村"}


def test_photos_carry_exact_credits_and_no_file(demo):
    credits = {photo.program.slug: photo.credit for photo in ProgramPhoto.objects.all()}
    assert credits == {
        "hunyuan-rural-tourism": "本报记者 梁婧摄",
        "hunyuan-consumption": "本报记者 刘存瑞摄",
        "tianzhu-sugarcane": "龙胜洲摄（中经视觉）",
    }
    for photo in ProgramPhoto.objects.all():
        assert not photo.image
        assert photo.caption and photo.alt_text


# -- stories -------------------------------------------------------------------


def test_the_boys_assistance_adds_up_by_frequency(demo):
    boy = story("潘长君")
    assert [a.display for a in boy.assistance.all()] == [
        "80元",
        "648元",
        "1500元",
        "1500元",
        "2000元",
        "1500元",
    ]
    totals = [(t.period, t.display) for t in boy.assistance_totals()]
    assert totals == [("once", "3000元"), ("monthly", "728元"), ("term", "3500元")]
    allowance, living, *_, furniture, charity = boy.assistance.all()
    assert allowance.recipient.real_name == "张仕娣"
    assert living.covers_people == 3 and living.recipient is None
    assert (furniture.provider, furniture.provider_type) == (
        "桥圩福禄好家具城",
        "company",
    )
    assert (charity.provider, charity.provider_type) == (
        "马可波罗慈善基金会",
        "charity",
    )


def test_ye_shouhengs_assistance_and_new_wages(demo):
    ye = story("叶寿恒")
    assert [(t.period, t.display) for t in ye.assistance_totals()] == [
        ("once", "6500元")
    ]
    assert [(o.person.real_name, o.display) for o in ye.outcomes.all()] == [
        ("叶寿恒", "3000元"),
        ("庞春梅", "1500元"),
    ]
    assert set(ye.programs.values_list("slug", flat=True)) == {
        "gangnan-education",
        "gangnan-industry",
    }


def test_the_mushroom_picker_and_the_millet_seller(demo):
    yan = story("晏丽")
    assert [(o.period_label, o.display) for o in yan.outcomes.all()] == [
        ("2018年", "7000多元"),
        ("2019年以来", "2万多元"),
    ]
    assert yan.region.name == "家园村" and yan.region.parent.name == "修齐镇"
    jiang = story("姜瑜")
    assert [o.display for o in jiang.outcomes.all()] == ["500多斤", "10元"]
    assert jiang.region.name == "藏经庄村"
    assert list(jiang.programs.values_list("slug", flat=True)) == ["hunyuan-ecommerce"]
    assert yan.assistance_totals() == [] and jiang.assistance_totals() == []


def test_stories_are_published_and_two_are_featured(demo):
    assert Story.objects.count() == 4
    assert Story.objects.filter(is_featured=True).count() == 2
    for item in Story.objects.all():
        assert item.is_public
        assert item.source_date is None
        assert item.body.count("\n\n") >= 2, item.slug


def test_the_child_is_not_named_in_title_dek_or_address(demo):
    boy = story("潘长君")
    for name in CHILD_NAMES:
        assert name not in boy.title and name not in boy.dek
    assert "pan" not in boy.slug and "changjun" not in boy.slug
    assert set(boy.causes.values_list("slug", flat=True)) == {"education", "labour"}
    child = Person.objects.get(real_name="潘长君")
    assert (child.age, child.age_as_of) == (13, datetime.date(2019, 10, 1))
    assert child.household.members.count() == 3
    # The body may name him; readers get it redacted through the story's people.
    assert "潘长君" in boy.body
    assert "潘长君" not in boy.redact(boy.body)
    assert "长君" not in boy.redact(boy.body)
    roles = StoryPerson.objects.filter(story=boy).values_list(
        "person__real_name", "role"
    )
    assert list(roles) == [
        ("潘长君", "受助学生"),
        ("潘蔼章", "爷爷"),
        ("张仕娣", "奶奶"),
    ]
