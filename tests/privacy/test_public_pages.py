"""Done when an anonymous reader, crawling every public URL of the demo, finds
no protected name or photo anywhere; and the same after a consent is withdrawn."""

import re
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from privacy.models import Consent
from programs.models import Program
from stories.models import Person, Story, StoryPhoto
from stories.views import StoryListView
from tests.privacy.crawl import crawl

CHILD_STORY = "/stories/jindong-schoolboy-grandparents/"
YE_STORY = "/stories/jindong-job-closer-to-home/"
# The boy, his given name, and the grandparents who would identify him.
PROTECTED = ["潘长君", "长君", "潘蔼章", "张仕娣"]


def jpeg(name: str) -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def site(demo, monkeypatch):
    """The demo, two stories to a list page (so pagination is crawled too), and
    two photos: one of the boy, one of 叶寿恒 (who consented to photos)."""
    monkeypatch.setattr(StoryListView, "paginate_by", 2)
    child = Person.objects.get(real_name="潘长君")
    ye = Person.objects.get(real_name="叶寿恒")
    boy_photo = StoryPhoto.objects.create(
        story=Story.objects.get(slug="jindong-schoolboy-grandparents"),
        image=jpeg("boy-at-school.jpg"),
        caption="潘长君在教室里读书。",
        credit="杨亚俊摄",
        alt_text="潘长君坐在课桌前读书",
    )
    boy_photo.people_shown.add(child)
    ye_photo = StoryPhoto.objects.create(
        story=Story.objects.get(slug="jindong-job-closer-to-home"),
        image=jpeg("ye-at-work.jpg"),
        caption="叶寿恒在木板厂上班。",
        credit="杨亚俊摄",
        alt_text="叶寿恒在木板厂搬运木板",
    )
    ye_photo.people_shown.add(ye)
    boy_photo.refresh_from_db()
    ye_photo.refresh_from_db()
    return boy_photo, ye_photo


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def assistance_section(html: str) -> str:
    match = re.search(
        r'<section[^>]*aria-labelledby="assistance-title".*?</section>', html, re.S
    )
    return match.group(0) if match else ""


def assert_nowhere(pages: dict, names: list[str]) -> None:
    leaks = [
        (url, name)
        for url, page in pages.items()
        for name in names
        if name in page["body"]
    ]
    assert not leaks, leaks


def assert_photo_hidden(pages: dict, photo: StoryPhoto, *public_urls: str) -> None:
    """No page names the photo's original, nor a public copy it once had; and
    it has none now."""
    photo.refresh_from_db()
    assert not photo.public_image
    for page_url, page in pages.items():
        assert photo.image.name not in page["body"], page_url
        for url in public_urls:
            assert url not in page["body"], page_url


# One crawl serves several assertions: it walks hundreds of pages, feeds and
# downloads, and the state it sees is the same for all of them.
@pytest.mark.django_db
def test_the_crawl_reaches_every_kind_of_public_page_and_reveals_no_child(site):
    boy_photo, ye_photo = site
    pages = crawl()
    urls = set(pages)
    published = Story.objects.published()
    assert {s.get_absolute_url() for s in published} <= urls
    assert CHILD_STORY in urls
    assert any("page=2" in u for u in urls), "pagination"
    assert any(u.startswith("/stories/?cause=") for u in urls), "filters"
    assert any(u.startswith("/stories/?measure=") for u in urls), "filters"
    assert any(u.startswith("/regions/") and u != "/regions/" for u in urls)
    assert "/sitemap.xml" in urls

    assert_nowhere(pages, PROTECTED)
    assert_photo_hidden(pages, boy_photo)
    for url, page in pages.items():
        for link in page["links"] + page["images"]:
            assert boy_photo.image.name not in link, url

    story = pages[CHILD_STORY]["body"]
    assert "潘某" in story
    assert "张某" in story
    # All six lines of help, with their amounts: published in full.
    table = text_of(assistance_section(story))
    for amount in ["80元", "648元", "2000元"]:
        assert amount in table
    assert len(re.findall(r"1500元", table)) == 3
    assert len(re.findall(r"<tr\b", assistance_section(story))) == 7
    assert "未获当事人同意公开" not in story
    # His grandmother's disability allowance: she consented to health details.
    assert "困难残疾人生活补贴" in table

    # A consenting adult's photo is shown, with its caption, on his story and cards.
    ye_url = ye_photo.public_image.url
    assert f'src="{ye_url}"' in pages[YE_STORY]["body"]
    assert "叶寿恒在木板厂上班。" in pages[YE_STORY]["body"]
    assert any(
        f'src="{ye_url}"' in p["body"]
        for u, p in pages.items()
        if u.startswith("/stories/?")
    )


@pytest.mark.django_db
def test_a_withdrawn_consent_takes_effect_on_the_next_request(site, client):
    _boy_photo, ye_photo = site
    before = client.get(YE_STORY).content.decode()
    assert "叶寿恒" in before
    ye_url = ye_photo.public_image.url
    assert ye_url in before
    assert "合计" in text_of(assistance_section(before))

    consent = Consent.objects.get(person__real_name="叶寿恒")
    consent.withdrawn_on = timezone.localdate()
    consent.save()

    pages = crawl()
    story_pages = {u: p for u, p in pages.items() if not u.startswith("/programs/")}
    assert_nowhere(story_pages, ["叶寿恒", "寿恒"])
    # Program pages too: a program's text names him.
    assert_nowhere(pages, ["叶寿恒"])
    assert_nowhere(pages, PROTECTED)
    assert_photo_hidden(pages, ye_photo, ye_url)
    story = pages[YE_STORY]["body"]
    assert "叶某" in story
    # His consent covered his financial details: the household's lines (and his
    # wage) are withheld now, and said to be; no total counts them.
    section = text_of(assistance_section(story))
    assert "另有 3 项帮扶明细未获当事人同意公开" in section
    assert "合计（" not in section
    assert "优质稻补助" not in section
    assert "在桥圩镇木板厂工作的每月基本收入" not in story
    # 庞春梅 still consents: her own outcome stays.
    assert "在桥圩镇打零工的月收入" in story


@pytest.mark.django_db
def test_filters_do_not_reveal_a_withheld_detail(client, demo):
    story = Story.objects.get(people__real_name="叶寿恒")
    url = reverse("stories:list")
    assert story in client.get(url, {"measure": "rain_dew"}).context["story_list"]
    for consent in Consent.objects.filter(person__real_name__in=["叶寿恒", "庞春梅"]):
        consent.withdrawn_on = timezone.localdate()
        consent.save()
    # The lines are withheld on the page, so filtering by them must not find it.
    assert story not in client.get(url, {"measure": "rain_dew"}).context["story_list"]


@pytest.mark.django_db
def test_the_program_filter_names_no_one_a_story_protects(client, demo):
    program = Program.objects.published().first()
    program.title = "叶寿恒家门口的就业"
    program.save()
    option = '<option value="{}">{}家门口的就业</option>'
    # He consents: his name is his to show, and the list of programs is kept.
    html = client.get(reverse("stories:list")).content.decode()
    assert option.format(program.slug, "叶寿恒") in html
    consent = Consent.objects.get(person__real_name="叶寿恒")
    consent.withdrawn_on = timezone.localdate()
    consent.save()
    html = client.get(reverse("stories:list")).content.decode()
    assert option.format(program.slug, "叶某") in html
    assert "叶寿恒" not in html
