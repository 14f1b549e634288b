"""What crawlers, chat apps and phones get from the site: robots.txt, the
sitemap, canonical addresses, share cards, JSON-LD, QR codes and the printable
program brief; and pages WeChat's browser loads with nothing from elsewhere."""

import json
import re
from html.parser import HTMLParser
from io import BytesIO
from urllib.parse import urlsplit

import pytest
import segno
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from PIL import Image

from portal.sharing import QR_SCALE
from programs.models import Program, ProgramPhoto
from stories.models import Person, Story, StoryPhoto
from stories.views import StoryListView
from tests.factories import (
    FigureFactory,
    ProgramFactory,
    StoryFactory,
    jpeg,
    photo_of_ye_at_work,
)
from tests.pages import render_demo_pages

pytestmark = pytest.mark.django_db

PROTECTED = ["潘长君", "长君", "潘蔼章", "张仕娣"]
CHILD_STORY = "jindong-schoolboy-grandparents"


class HeadParser(HTMLParser):
    """<meta>, <link> and JSON-LD of a page, and every tag's attributes."""

    def __init__(self):
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: list[dict] = []
        self.json_ld: list[dict] = []
        self.scripts: list[dict] = []
        self.tags: list[tuple[str, dict]] = []
        self._script: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "meta" and (attrs.get("property") or attrs.get("name")):
            self.meta[attrs.get("property") or attrs["name"]] = attrs.get("content")
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script":
            self.scripts.append(attrs)
            self._script = attrs

    def handle_data(self, data):
        if self._script is not None and self._script.get("type") == (
            "application/ld+json"
        ):
            self.json_ld.append(json.loads(data))

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def link(self, rel: str) -> str | None:
        return next((a["href"] for a in self.links if a.get("rel") == rel), None)


def parse(html: str) -> HeadParser:
    parser = HeadParser()
    parser.feed(html)
    return parser


def qr_modules(png: bytes) -> list[list[int]]:
    """The dark (1) and light (0) modules of a QR code image, read from the
    centre of each module."""
    image = Image.open(BytesIO(png)).convert("L")
    size = image.width // QR_SCALE - 8  # the quiet zone is 4 modules a side
    return [
        [
            int(image.getpixel(((x + 4) * QR_SCALE + 3, (y + 4) * QR_SCALE + 3)) < 128)
            for x in range(size)
        ]
        for y in range(size)
    ]


def expected_modules(url: str) -> list[list[int]]:
    return [list(row) for row in segno.make(url, error="m", micro=False).matrix]


# robots.txt and the sitemap


def test_robots_txt_keeps_crawlers_out_of_the_staff_side_and_search(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.text.splitlines()
    for path in ("/admin/", "/preview/", "/search/", "/en/search/"):
        assert f"Disallow: {path}" in lines
    assert "Disallow: /" not in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_every_page_names_the_site_icon_and_favicon_ico_finds_it(
    client, demo, admin_client, static_files
):
    icon = "/static/img/icon.svg"
    touch_icon = "/static/img/apple-touch-icon.png"
    for url in ("/", reverse("stories:list"), "/en/programs/", "/admin/"):
        page = admin_client if url.startswith("/admin/") else client
        html = page.get(url).text
        assert f'<link rel="icon" href="{icon}" type="image/svg+xml">' in html, url
        assert f'<link rel="apple-touch-icon" href="{touch_icon}">' in html, url
    # Pages without the link (the error pages) leave browsers to ask here.
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == icon
    served = client.get(icon)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/svg+xml"
    touch = client.get(touch_icon)
    assert Image.open(BytesIO(b"".join(touch.streaming_content))).size == (180, 180)


def test_the_sitemap_lists_every_public_page_with_absolute_urls_and_english_too(
    client, demo
):
    xml = client.get("/sitemap.xml").text
    locations = re.findall(r"<loc>([^<]+)</loc>", xml)
    assert all(url.startswith("http://testserver/") for url in locations)
    expected = [
        "/",
        "/stories/",
        "/programs/",
        "/regions/",
        *(s.get_absolute_url() for s in Story.objects.published()),
        *(p.get_absolute_url() for p in Program.objects.published()),
        reverse("programs:region_detail", args=["450803"]),
    ]
    for path in expected:
        assert f"http://testserver{path}" in locations
        assert f"http://testserver/en{path}" in locations
    assert 'hreflang="en" href="http://testserver/en/stories/"' in xml
    assert 'hreflang="x-default" href="http://testserver/stories/"' in xml


# Canonical addresses


def test_a_story_page_names_its_absolute_canonical_address(client, demo):
    story = Story.objects.get(slug=CHILD_STORY)
    page = parse(client.get(story.get_absolute_url(), {"utm_source": "wx"}).text)
    url = f"http://testserver/stories/{CHILD_STORY}/"
    assert page.link("canonical") == url
    assert page.meta["og:url"] == url


def test_a_list_is_canonical_with_its_valid_filters_in_a_stable_order(
    client, demo, monkeypatch
):
    query = {"year": "2019", "from": "timeline", "region": "450803", "cause": "x"}
    page = parse(client.get(reverse("stories:list"), query).text)
    canonical = "http://testserver/stories/?region=450803&year=2019"
    assert page.link("canonical") == canonical
    assert page.meta["og:url"] == canonical

    monkeypatch.setattr(StoryListView, "paginate_by", 1)
    page = parse(client.get(reverse("stories:list"), {"page": "2"}).text)
    assert page.link("canonical") == "http://testserver/stories/?page=2"
    page = parse(client.get(reverse("programs:list"), {"category": "ecommerce"}).text)
    assert page.link("canonical") == "http://testserver/programs/?category=ecommerce"


def test_the_english_page_is_canonical_at_its_own_address(client, demo):
    with translation.override(settings.LANGUAGE_CODE):
        page = parse(client.get(f"/en/stories/{CHILD_STORY}/").text)
    assert page.link("canonical") == f"http://testserver/en/stories/{CHILD_STORY}/"
    assert page.meta["og:locale"] == "en_US"


def test_a_preview_has_no_canonical_address_or_share_card(admin_client):
    story = StoryFactory(status=Story.Status.DRAFT)
    url = reverse("editorial:preview", args=["stories", "story", story.pk])
    html = admin_client.get(url).text
    page = parse(html)
    assert page.link("canonical") is None
    assert "og:title" not in page.meta
    assert 'class="share"' not in html


# Share cards and JSON-LD


def test_a_story_with_a_public_photo_shares_it_as_a_large_card(client, demo):
    photo = photo_of_ye_at_work()
    photo.refresh_from_db()
    story = photo.story
    page = parse(client.get(story.get_absolute_url()).text)
    meta = page.meta
    assert meta["og:type"] == "article"
    assert meta["og:site_name"] == "扶贫故事"
    assert meta["og:locale"] == "zh_CN"
    assert meta["og:title"] == story.title
    assert meta["og:description"] == story.dek
    assert meta["og:image"] == f"http://testserver{photo.public_image.url}"
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "800")
    assert meta["og:image:alt"] == "叶寿恒在木板厂搬运木板"
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["twitter:image"] == meta["og:image"]
    assert meta["twitter:title"] == story.title

    (article,) = page.json_ld
    assert article["@type"] == "NewsArticle"
    assert article["headline"] == story.title
    assert article["description"] == story.dek
    assert article["image"] == [meta["og:image"]]
    assert article["author"] == {"@type": "Person", "name": story.byline}
    assert article["publisher"]["name"] == "扶贫故事"
    assert article["mainEntityOfPage"] == page.link("canonical")
    assert article["inLanguage"] == "zh-Hans"
    assert article["datePublished"] == "2019-11-20T09:00:00+08:00"
    assert article["dateModified"]


def test_a_story_without_a_photo_shares_a_small_card(client):
    story = StoryFactory(title="没有照片的故事", dek="导语")
    meta = parse(client.get(story.get_absolute_url()).text).meta
    assert meta["twitter:card"] == "summary"
    assert "og:image" not in meta


def test_a_program_shares_its_photo_and_summary(client):
    program = ProgramFactory(title="浑源县电商扶贫", summary="把特产卖向全国。")
    ProgramPhoto.objects.create(
        program=program,
        image=jpeg("shop.jpg", (800, 600)),
        caption="电商服务中心",
        credit="记者摄",
        alt_text="电商服务中心的货架",
    )
    meta = parse(client.get(program.get_absolute_url()).text).meta
    assert meta["og:type"] == "website"
    assert meta["og:title"] == "浑源县电商扶贫"
    assert meta["og:description"] == "把特产卖向全国。"
    assert meta["og:image"].startswith("http://testserver/media/p/")
    assert "shop" not in meta["og:image"]
    assert meta["og:image:alt"] == "电商服务中心的货架"


def test_json_ld_cannot_be_closed_by_a_title(client):
    story = StoryFactory(title="</script><script>alert(1)</script> & <b>")
    html = client.get(story.get_absolute_url()).text
    script = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', html, re.S
    )
    assert "<" not in script.group(1) and "&" not in script.group(1)
    assert json.loads(script.group(1))["headline"] == story.title
    assert "<script>alert" not in html


def test_no_protected_name_in_any_meta_tag_or_json_ld(client, demo):
    """The child's story with his name written into every text a card shows."""
    Story.objects.filter(slug=CHILD_STORY).update(
        title="潘长君的求学路",
        dek="长君和爷爷潘蔼章、奶奶张仕娣一起生活。",
        byline="杨亚俊 潘长君",
    )
    story = Story.objects.get(slug=CHILD_STORY)
    # A photo of the grandfather's house (no one in it): public, its alt and
    # caption redacted; and one of the boy, without consent: not shared at all.
    house = StoryPhoto.objects.create(
        story=story,
        image=jpeg("house.jpg"),
        caption="潘蔼章家的老房子。",
        credit="杨亚俊摄",
        alt_text="潘长君和爷爷潘蔼章住的老房子",
        order=1,
    )
    boy = StoryPhoto.objects.create(
        story=story,
        image=jpeg("boy.jpg"),
        caption="潘长君",
        credit="杨亚俊摄",
        alt_text="潘长君",
    )
    boy.people_shown.add(Person.objects.get(real_name="潘长君"))
    house.refresh_from_db()
    boy.refresh_from_db()

    html = client.get(story.get_absolute_url()).text
    head = html.split("</head>")[0]
    page = parse(head)
    assert page.meta["og:title"] == "潘某的求学路"
    assert page.meta["og:image"].endswith(house.public_image.url)
    assert page.meta["og:image:alt"] == "潘某和爷爷潘某住的老房子"
    assert not [name for name in PROTECTED if name in head]
    assert not [name for name in PROTECTED if name in json.dumps(page.json_ld)]
    assert boy.image.name not in head
    assert not boy.public_image


# QR codes


def test_a_story_qr_code_is_a_png_of_its_absolute_address(client, demo):
    response = client.get(reverse("stories:qr", args=[CHILD_STORY]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "public" in response["Cache-Control"]
    assert "max-age=" in response["Cache-Control"]
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    url = f"http://testserver/stories/{CHILD_STORY}/"
    assert qr_modules(response.content) == expected_modules(url)


def test_the_english_qr_code_opens_the_english_page(client, demo):
    with translation.override(settings.LANGUAGE_CODE):
        response = client.get("/en/programs/hunyuan-ecommerce/qr.png")
    url = "http://testserver/en/programs/hunyuan-ecommerce/"
    assert qr_modules(response.content) == expected_modules(url)


def test_a_program_qr_code_opens_the_program_page(client, demo):
    response = client.get(reverse("programs:qr", args=["hunyuan-ecommerce"]))
    assert response["Content-Type"] == "image/png"
    url = "http://testserver/programs/hunyuan-ecommerce/"
    assert qr_modules(response.content) == expected_modules(url)


def test_unpublished_or_unknown_items_have_no_qr_code(client):
    draft = StoryFactory(status=Story.Status.DRAFT)
    hidden = ProgramFactory(status=Program.Status.ARCHIVED)
    for url in [
        reverse("stories:qr", args=[draft.slug]),
        reverse("programs:qr", args=[hidden.slug]),
        reverse("stories:qr", args=["no-such-story"]),
        reverse("programs:qr", args=["no-such-program"]),
    ]:
        assert client.get(url).status_code == 404


def test_story_and_program_pages_have_a_share_section(client, demo):
    html = client.get(f"/stories/{CHILD_STORY}/").text
    share = re.search(r'<section class="share".*?</section>', html, re.S).group(0)
    assert f'src="/stories/{CHILD_STORY}/qr.png"' in share
    assert 'alt="本页网址的二维码"' in share
    assert "微信扫一扫，在手机上打开" in share
    url = f"http://testserver/stories/{CHILD_STORY}/"
    assert f'<a class="share-link" href="{url}">{url}</a>' in share

    html = client.get("/programs/hunyuan-ecommerce/").text
    share = re.search(r'<section class="share".*?</section>', html, re.S).group(0)
    assert 'src="/programs/hunyuan-ecommerce/qr.png"' in share
    assert '<a href="/programs/hunyuan-ecommerce/brief/">打印简报</a>' in share


# The printable brief


def test_the_brief_shows_the_program_figures_source_and_qr_code(client, demo):
    program = Program.objects.get(slug="hunyuan-ecommerce")
    response = client.get(reverse("programs:brief", args=[program.slug]))
    assert response.status_code == 200
    html = response.text
    assert "<h1>浑源县电商扶贫：以点带面，把特产卖向全国</h1>" in html
    assert "山西省大同市浑源县" in html and "电商扶贫" in html
    for figure in program.figures.all():
        assert figure.display in html
        assert figure.indicator in html
    assert "4600多万元" in html
    assert html.count('class="chart-svg"') == 1  # one indicator has a series
    assert "报纸扶贫专版（2019年11月）" in html
    assert 'src="/programs/hunyuan-ecommerce/qr.png"' in html
    assert "http://testserver/programs/hunyuan-ecommerce/" in html
    # Search engines are sent to the program page.
    assert parse(html).link("canonical") == (
        "http://testserver/programs/hunyuan-ecommerce/"
    )


def test_the_brief_redacts_protected_names(client, demo):
    program = Program.objects.get(slug="gangnan-education")
    program.summary = "潘长君和爷爷潘蔼章得到了资助。"
    program.save()
    FigureFactory(program=program, indicator="潘长君获得的资助", year=2019)
    html = client.get(reverse("programs:brief", args=[program.slug])).text
    assert "潘某和爷爷潘某得到了资助。" in html
    assert not [name for name in PROTECTED if name in html]


def test_an_unpublished_program_has_no_brief(client):
    program = ProgramFactory(status=Program.Status.DRAFT)
    assert client.get(reverse("programs:brief", args=[program.slug])).status_code == 404


# Pages WeChat's in-app browser loads fast


class Resources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            if "src" in attrs:
                self.problems.append(f"<script src={attrs['src']}>")
            if attrs.get("type") != "application/ld+json":
                self.problems.append(f"a script of type {attrs.get('type')}")
        urls = [attrs.get("src"), attrs.get("srcset"), attrs.get("data")]
        if tag == "link" and attrs.get("rel") in ("stylesheet", "preload", "icon"):
            urls.append(attrs.get("href"))
        for url in filter(None, urls):
            parts = urlsplit(url)
            if parts.scheme or parts.netloc:
                self.problems.append(f"<{tag}> loads {url} from elsewhere")


@pytest.fixture(scope="module")
def rendered_pages(django_db_setup, django_db_blocker, tmp_path_factory):
    # Rendering the English pages activates English in this thread: the
    # override gives the language back to the tests that follow.
    with django_db_blocker.unblock(), translation.override(settings.LANGUAGE_CODE):
        return render_demo_pages(tmp_path_factory.mktemp("media"))


def test_every_page_loads_only_from_this_site_and_runs_no_script(rendered_pages):
    pages = rendered_pages
    assert "program-brief" in {page.name for page in pages}
    problems = {}
    for page in pages:
        parser = Resources()
        parser.feed(page.html)
        if parser.problems:
            problems[page.label] = parser.problems
    assert not problems
