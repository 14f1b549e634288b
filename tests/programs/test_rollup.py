from decimal import Decimal

import pytest
from django.urls import reverse

from programs.abstract import Qualifier
from programs.models import Program, Region
from programs.rollup import rollup
from tests.factories import FigureFactory, ProgramFactory, RegionFactory

pytestmark = pytest.mark.django_db


def make_tree(villages_per_township: int = 2) -> dict[str, Region]:
    """A province → county → two townships → villages, as on the region pages."""
    province = RegionFactory(name="重庆市", code="500000", level=Region.Level.PROVINCE)
    county = RegionFactory(name="城口县", code="500229", level=3, parent=province)
    tree = {"province": province, "county": county}
    for t, township_name in enumerate(["修齐镇", "坪坝镇"]):
        township = RegionFactory(
            name=township_name, code=f"50022910{t}", level=4, parent=county
        )
        tree[township_name] = township
        for v in range(villages_per_township):
            tree[f"{township_name}{v}"] = village(f"{township_name}第{v}村", township)
    return tree


def village(name: str, township: Region) -> Region:
    # Villages here have no code (the factory would look them up by code).
    return Region.objects.create(name=name, level=5, parent=township)


def report(region: Region, indicator: str, value: str, unit: str = "户", **fields):
    program = fields.pop("program", None) or ProgramFactory(region=region)
    return FigureFactory(
        program=program,
        indicator=indicator,
        value=Decimal(value),
        unit=unit,
        year=fields.pop("year", 2018),
        **fields,
    )


def indicator(region: Region, name: str):
    [found] = [i for i in rollup(region) if i.name == name]
    return found


def test_villages_add_up_to_their_township_county_and_province():
    tree = make_tree()
    report(tree["修齐镇0"], "带动务工群众", "110")
    report(tree["修齐镇1"], "带动务工群众", "40")
    report(tree["坪坝镇0"], "带动务工群众", "30")
    report(tree["county"], "带动务工群众", "20")

    assert indicator(tree["修齐镇"], "带动务工群众").total.display == "150户"
    county = indicator(tree["county"], "带动务工群众")
    assert county.total.display == "200户"
    # The county's own program first, then each township's roll-up.
    assert [(b.region, b.total.display) for b in county.branches] == [
        (None, "20户"),
        (tree["修齐镇"], "150户"),
        (tree["坪坝镇"], "30户"),
    ]
    province = indicator(tree["province"], "带动务工群众")
    assert province.total.display == "200户"
    assert [(b.region, b.total.display) for b in province.branches] == [
        (tree["county"], "200户")
    ]


def test_only_the_same_indicator_unit_and_period_are_put_together():
    tree = make_tree()
    report(tree["修齐镇0"], "带动务工群众", "110", year=2018)
    report(tree["修齐镇1"], "带动务工群众", "40", year=2019)
    report(tree["坪坝镇0"], "带动务工群众", "30", unit="人", year=2018)
    found = [(i.name, i.unit, i.when) for i in rollup(tree["county"])]
    assert sorted(found) == [
        ("带动务工群众", "人", "2018年"),
        ("带动务工群众", "户", "2018年"),
        ("带动务工群众", "户", "2019年"),
    ]


def test_amounts_in_yuan_and_wan_yuan_are_added_as_yuan():
    tree = make_tree()
    report(tree["修齐镇0"], "村集体收益", "248", unit="万元")
    report(tree["坪坝镇0"], "村集体收益", "1000", unit="元")
    assert indicator(tree["county"], "村集体收益").total.display == "248.1万元"


@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("建有电商服务点的贫困村比例", "%"),
        ("医疗保险参保率", "%"),
        ("务工群众人均增收", "万元"),
        ("集体经济股东每人分红", "元"),
        ("每户扶持标准", "元"),
    ],
)
def test_shares_rates_averages_and_standards_are_never_added(name, unit):
    tree = make_tree()
    report(tree["修齐镇0"], name, "70", unit=unit)
    report(tree["坪坝镇0"], name, "80", unit=unit)
    rolled = indicator(tree["county"], name)
    assert rolled.total is None
    assert rolled.no_total_reason
    assert all(branch.total is None for branch in rolled.branches)
    assert [c.figure.display for c in rolled.contributions] == [
        f"70{unit}",
        f"80{unit}",
    ]


@pytest.mark.parametrize(
    ("figures", "total"),
    [
        # 4600多万元 + 2680万元: at least 7280万元, and a little more.
        ([("4600", "万元", "more"), ("2680", "万元", "exact")], "7280多万元"),
        ([("110", "户", "odd"), ("40", "户", "exact")], "150余户"),
        ([("80", "万元", "over"), ("20", "万元", "over")], "超过100万元"),
        # 1.24万多户 + 0.5万多户: the 多 stays after the 万.
        ([("1.24", "万户", "more+"), ("0.5", "万户", "more+")], "1.74万多户"),
        # Different lower bounds: still at least, said as 多.
        ([("110", "户", "odd"), ("40", "户", "more")], "150多户"),
        ([("100", "人", "nearly"), ("50", "人", "exact")], "近150人"),
        # A little under plus a little over could lie either side.
        ([("100", "人", "nearly"), ("50", "人", "more")], "约150人"),
        ([("100", "人", "about"), ("50", "人", "exact")], "约150人"),
    ],
)
def test_a_total_keeps_the_qualifiers_of_what_it_adds(figures, total):
    tree = make_tree()
    for n, (value, unit, qualifier) in enumerate(figures):
        report(
            tree[f"修齐镇{n}"],
            "指标",
            value,
            unit=unit,
            qualifier=Qualifier(qualifier.rstrip("+")),
            qualifier_after_magnitude=qualifier.endswith("+"),
        )
    assert indicator(tree["county"], "指标").total.display == total


def test_unpublished_programs_are_not_counted():
    tree = make_tree()
    report(tree["修齐镇0"], "带动务工群众", "110")
    draft = ProgramFactory(region=tree["修齐镇1"], status=Program.Status.DRAFT)
    report(tree["修齐镇1"], "带动务工群众", "40", program=draft)
    report(tree["坪坝镇0"], "草稿指标", "1", program=draft)
    rolled = indicator(tree["county"], "带动务工群众")
    assert rolled.total.display == "110户"
    assert draft not in rolled.programs
    assert "草稿指标" not in [i.name for i in rollup(tree["county"])]


def test_a_part_is_never_added_to_the_whole_it_belongs_to():
    tree = make_tree()
    whole = ProgramFactory(region=tree["county"])
    part = ProgramFactory(region=tree["修齐镇0"], parent=whole)
    report(tree["county"], "带动务工群众", "200", program=whole)
    report(tree["修齐镇0"], "带动务工群众", "110", program=part)
    rolled = indicator(tree["county"], "带动务工群众")
    assert rolled.total is None
    assert "重复" in str(rolled.no_total_reason)
    # Within the township, the part alone is its roll-up.
    assert indicator(tree["修齐镇"], "带动务工群众").total.display == "110户"


def test_the_rollup_costs_the_same_queries_for_a_small_and_a_big_tree(
    django_assert_max_num_queries,
):
    tree = make_tree(villages_per_township=1)
    province = tree["province"]
    report(tree["修齐镇0"], "带动务工群众", "1")
    with django_assert_max_num_queries(7) as small:
        rollup(province)

    for township in ("修齐镇", "坪坝镇"):
        for n in range(10):
            new = village(f"新村{n}", tree[township])
            report(new, "带动务工群众", "1")
            report(new, f"其他指标{n}", "1")
    with django_assert_max_num_queries(len(small.captured_queries)):
        rolled = rollup(province)
    assert indicator(province, "带动务工群众").total.display == "21户"
    assert len(rolled) == 11


def test_given_the_branches_the_rollup_is_one_query(django_assert_num_queries):
    tree = make_tree()
    report(tree["修齐镇0"], "带动务工群众", "1")
    county = tree["county"]
    branches, children = county.branches(), list(county.children.all())
    with django_assert_num_queries(1):
        rollup(county, branches, children)


def test_the_region_page_rolls_up_with_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    tree = make_tree()
    report(tree["修齐镇0"], "带动务工群众", "110")
    report(tree["坪坝镇1"], "带动务工群众", "40")
    url = tree["county"].get_absolute_url()
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for n in range(8):
        report(tree[f"修齐镇{n % 2}"], "带动务工群众", "1", year=2010 + n)
        report(tree["坪坝镇0"], f"指标{n}", "1")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert page.status_code == 200


def test_the_region_page_shows_totals_and_each_branch_with_links(client):
    tree = make_tree()
    near = report(tree["修齐镇0"], "带动务工群众", "110", qualifier=Qualifier.ODD)
    far = report(tree["坪坝镇1"], "带动务工群众", "40")
    report(tree["坪坝镇1"], "参保率", "100", unit="%")
    page = client.get(tree["county"].get_absolute_url()).text
    assert "项目数据汇总" in page
    assert "合计 150余户" in page
    assert reverse("programs:detail", args=[near.program.slug]) in page
    assert reverse("programs:detail", args=[far.program.slug]) in page
    assert tree["修齐镇"].get_absolute_url() in page
    # A single share has nothing to add up to: shown as it is, not as a total.
    assert "100%" in page and "合计 100%" not in page
