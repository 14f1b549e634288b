import pytest
from django.urls import reverse

from programs.models import Program, Region
from stories.models import Story
from tests.factories import FigureFactory, ProgramFactory, RegionFactory, StoryFactory

pytestmark = pytest.mark.django_db

# Every figure of the seed page, as it must read on the portal.
SEED_FIGURES = [
    "2077万元",
    "2680万元",
    "4600多万元",
    "2000平方米",
    "100多种",
    "220个",
    "70%",
    "224期",
    "1.1万人",
    "248万元",
    "1000元",
    "110余户",
    "2.5万元",
    "20多万元",
    "超过80万元",
    "18万余元",
    "1.24万多户",
    "4.74万多人",
    "407.86万元",
    "513多万元",
    "1946.8万元",
    "9734户",
]


def test_every_public_page_answers(client, demo):
    urls = [
        reverse("home"),
        reverse("stories:list"),
        reverse("programs:list"),
        reverse("programs:region_list"),
        reverse("sitemap"),
    ]
    urls += [s.get_absolute_url() for s in Story.objects.published()]
    urls += [p.get_absolute_url() for p in Program.objects.published()]
    urls += [r.get_absolute_url() for r in Region.objects.all()]
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_the_seed_figures_read_exactly_on_the_program_pages(client, demo):
    text = "".join(
        client.get(p.get_absolute_url()).text for p in Program.objects.published()
    )
    for figure in SEED_FIGURES:
        assert figure in text, figure


def test_a_program_page_draws_each_indicator_as_an_accessible_chart(client, demo):
    program = Program.objects.filter(figures__indicator__contains="网络零售额").first()
    page = client.get(program.get_absolute_url())
    assert "<svg" in page.text and 'role="img"' in page.text
    assert "<title" in page.text and "<desc" in page.text


def test_unpublished_programs_give_404(client):
    draft = ProgramFactory(status=Program.Status.DRAFT)
    FigureFactory(program=draft)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert draft.title not in client.get(reverse("programs:list")).text


def test_program_list_filters_by_category(client):
    ecommerce = ProgramFactory(category="ecommerce", title="电商项目")
    ProgramFactory(category="education", title="教育项目")
    page = client.get(reverse("programs:list"), {"category": "ecommerce"})
    assert list(page.context["program_list"]) == [ecommerce]


def test_region_page_lists_what_is_under_it(client, demo):
    county = Region.objects.get(code="450803")
    page = client.get(county.get_absolute_url())
    assert "桥圩镇" in page.text
    for program in Program.objects.published().filter(
        region__in=county.descendant_ids()
    ):
        assert program.title in page.text
    assert "贵港市" in page.text  # breadcrumb


def test_unknown_region_and_slugs_give_404(client, db):
    assert client.get("/regions/999999/").status_code == 404
    assert client.get("/programs/no-such-program/").status_code == 404
    assert client.get("/stories/no-such-story/").status_code == 404


def test_a_region_page_names_itself_once_in_its_breadcrumbs(client, demo):
    html = client.get("/regions/500229/").content.decode()
    trail = html[html.index('<nav class="breadcrumbs"') :]
    trail = trail[: trail.index("</nav>")]

    assert trail.count("城口县") == 1
    assert '<span aria-current="page">城口县</span>' in trail
    assert '<a href="/regions/500000/">重庆市</a>' in trail


def test_a_program_page_shows_its_latest_stories_and_links_to_the_rest(client, db):
    program = ProgramFactory()
    for i in range(8):
        StoryFactory(title=f"项目故事{i}").programs.add(program)
    page = client.get(program.get_absolute_url()).text
    assert page.count('class="card story-card') == 6
    assert f"?program={program.slug}" in page


def test_the_story_filter_lists_counties_not_every_village_but_accepts_one(client, db):
    county = RegionFactory(name="港南区", level=Region.Level.COUNTY)
    village = RegionFactory(name="六八村", level=Region.Level.VILLAGE, parent=county)
    StoryFactory(title="村里的故事", region=village)
    plain = client.get(reverse("stories:list")).text
    assert "港南区</option>" in plain and "六八村</option>" not in plain

    # "这里的更多故事" on a story links to its village: still a valid filter.
    filtered = client.get(reverse("stories:list"), {"region": village.slug}).text
    assert "以下筛选条件无效" not in filtered and "村里的故事" in filtered
    assert f'value="{village.slug}" selected' in filtered
