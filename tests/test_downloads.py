"""Readers download a program's figures and a story list's assistance lines as
CSV and JSON: exactly what the pages show, with sources, and nothing they hide."""

import csv
import io
import json
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone

from privacy.models import Consent
from programs.models import Program
from stories.models import Assistance, Story
from tests.factories import FigureFactory, ProgramFactory

pytestmark = pytest.mark.django_db

PROTECTED = ["潘长君", "长君", "潘蔼章", "张仕娣"]
BOY = "jindong-schoolboy-grandparents"


def rows(response) -> list[dict]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff"), "Excel needs the byte-order mark"
    return list(csv.DictReader(io.StringIO(text[1:])))


def filename(response) -> str:
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    return unquote(disposition.split("filename*=utf-8''")[1])


# A program's figures --------------------------------------------------------------


def test_a_programs_figures_as_csv_read_as_on_its_page(client, demo):
    program = Program.objects.get(slug="gangnan-precise-assistance")
    response = client.get(reverse("programs:figures_csv", args=[program.slug]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert filename(response).startswith(f"{program.title}-数据-")
    assert filename(response).endswith(".csv")
    table = rows(response)
    assert len(table) == program.figures.count()
    households = next(r for r in table if r["指标"] == "建档立卡贫困户")
    assert households["原文写法"] == "1.24万多户"
    assert (households["数值"], households["单位"], households["修饰"]) == (
        "1.24",
        "万户",
        "多",
    )
    assert households["统计期"] == "“十三五”期间"
    assert households["来源媒体"] == program.source_publication
    assert households["网页"] == f"http://testserver{program.get_absolute_url()}"
    page = client.get(program.get_absolute_url()).text
    for row in table:
        assert row["原文写法"] in page


def test_a_programs_figures_as_json_with_source_and_terms(client, demo):
    program = Program.objects.get(slug="hunyuan-ecommerce")
    response = client.get(reverse("programs:figures_json", args=[program.slug]))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "农产品网络零售额" in response.content.decode()  # not \\u escapes
    data = json.loads(response.content)
    assert set(data) >= {"source", "generated_at", "license", "filters", "records"}
    assert data["source"]["page"].endswith(program.get_absolute_url())
    assert data["filters"] == {"program": "hunyuan-ecommerce"}
    sales = [r for r in data["records"] if r["indicator"] == "农产品网络零售额"]
    assert [(r["value"], r["unit"], r["qualifier"], r["display"]) for r in sales] == [
        (2680, "万元", "exact", "2680万元"),
        (4600, "万元", "more", "4600多万元"),
    ]
    assert sales[1]["period"] == "截至2019年11月"
    assert sales[1]["source"]["byline"] == program.source_byline


def test_the_program_page_links_its_downloads(client, demo):
    program = Program.objects.get(slug="hunyuan-ecommerce")
    page = client.get(program.get_absolute_url()).text
    assert reverse("programs:figures_csv", args=[program.slug]) in page
    assert reverse("programs:figures_json", args=[program.slug]) in page


def test_spreadsheet_formulas_in_a_figure_are_written_as_text(client, db):
    figure = FigureFactory(indicator='=HYPERLINK("http://x.example","点我")')
    FigureFactory(program=figure.program, indicator="+1+1", year=2019)
    FigureFactory(program=figure.program, indicator="@SUM(A1)", year=2020)
    response = client.get(reverse("programs:figures_csv", args=[figure.program.slug]))
    indicators = sorted(row["指标"] for row in rows(response))
    assert indicators == sorted(
        [
            '\'=HYPERLINK("http://x.example","点我")',
            "'+1+1",
            "'@SUM(A1)",
        ]
    )
    # Numbers stay numbers.
    assert [row["数值"] for row in rows(response)] == ["2680"] * 3


def test_an_unpublished_programs_figures_are_not_found(client, db):
    draft = ProgramFactory(status=Program.Status.DRAFT)
    FigureFactory(program=draft)
    for name in ("programs:figures_csv", "programs:figures_json"):
        assert client.get(reverse(name, args=[draft.slug])).status_code == 404
    assert client.get("/programs/no-such-program/figures.csv").status_code == 404


# A story list's assistance --------------------------------------------------------


def test_the_assistance_of_every_listed_story_and_no_protected_name(client, demo):
    csv_response = client.get(reverse("stories:assistance_csv"))
    json_response = client.get(reverse("stories:assistance_json"))
    for response in (csv_response, json_response):
        text = response.content.decode()
        for name in PROTECTED:
            assert name not in text, name
    table = rows(csv_response)
    public = sum(len(s.public_assistance()) for s in Story.objects.published())
    assert len(table) == public == 9
    boy = [r for r in table if r["故事网址"].endswith(f"/stories/{BOY}/")]
    assert [r["原文写法"] for r in boy] == [
        "80元",
        "648元",
        "1500元",
        "1500元",
        "2000元",
        "1500元",
    ]
    assert {r["受助人"] for r in boy} == {"张某", "全家3人", "潘某"}
    assert boy[0]["频次"] == "每月"
    assert boy[4]["提供方"] == "桥圩福禄好家具城"
    assert boy[4]["提供方类型"] == "企业"
    assert boy[0]["地区"] == "广西壮族自治区贵港市港南区桥圩镇锦垌村"
    assert filename(csv_response).startswith("帮扶明细-")


def test_withheld_lines_are_not_downloaded(client, demo):
    Consent.objects.filter(person__real_name__in=["叶寿恒", "庞春梅"]).update(
        withdrawn_on=timezone.localdate()
    )
    text = client.get(reverse("stories:assistance_csv")).content.decode()
    assert "优质稻补助" not in text
    assert "叶寿恒" not in text
    data = json.loads(client.get(reverse("stories:assistance_json")).content)
    assert len(data["records"]) == 6
    assert all(r["story_url"].endswith(f"/{BOY}/") for r in data["records"])


def test_a_protected_name_in_a_provider_or_description_is_replaced(client, demo):
    Assistance.objects.create(
        story=Story.objects.get(slug=BOY),
        measure="donation",
        description="潘长君的老师捐的书本费",
        provider="潘蔼章的老同事",
        provider_type="other",
        value=500,
        unit="元",
    )
    text = client.get(reverse("stories:assistance_csv")).content.decode()
    assert "潘某的老师捐的书本费" in text and "潘某的老同事" in text
    for name in PROTECTED:
        assert name not in text, name


def test_the_download_follows_the_lists_filters(client, demo):
    query = {"measure": "donation", "provider": "马可波罗慈善基金会"}
    data = json.loads(client.get(reverse("stories:assistance_json"), query).content)
    assert data["filters"] == query
    assert data["source"]["page"].startswith("http://testserver/stories/?measure=")
    # Every public line of the stories found, the one asked about marked.
    assert {r["story_url"].rsplit("/", 2)[1] for r in data["records"]} == {BOY}
    assert [r["display"] for r in data["records"] if r["matches_filters"]] == ["1500元"]
    table = rows(client.get(reverse("stories:assistance_csv"), query))
    assert [r["符合帮扶筛选条件"] for r in table].count("是") == 1


def test_bad_filters_are_ignored_and_said_so(client, demo):
    data = json.loads(
        client.get(
            reverse("stories:assistance_json"), {"year": "abc", "measure": "rain_dew"}
        ).content
    )
    assert data["filters"] == {"measure": "rain_dew", "ignored": ["year"]}
    assert len(data["records"]) == 9  # both stories with a 雨露计划 line


def test_the_story_list_links_downloads_of_its_current_filters(client, demo):
    page = client.get(reverse("stories:list"), {"measure": "rain_dew", "page": 1})
    csv_url = reverse("stories:assistance_csv") + "?measure=rain_dew"
    assert f'href="{csv_url}"' in page.text
    assert reverse("stories:assistance_json") + "?measure=rain_dew" in page.text
    unfiltered = client.get(reverse("stories:list")).text
    assert f'href="{reverse("stories:assistance_csv")}"' in unfiltered


def test_the_download_is_bounded(client, demo, monkeypatch):
    monkeypatch.setattr("stories.downloads.MAX_STORIES", 1)
    data = json.loads(client.get(reverse("stories:assistance_json")).content)
    assert data["truncated"] is True
    assert len({r["story_url"] for r in data["records"]}) <= 1
