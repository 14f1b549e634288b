"""RSS and Atom feeds: the latest stories, or any filtered list, as a feed
reader sees them: the same stories as the page, redacted the same way."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from stories.feeds import FEED_ITEMS
from stories.models import Cause, Person, Story, StoryPhoto
from tests.factories import (
    ConsentFactory,
    PersonFactory,
    StoryFactory,
    StoryPersonFactory,
    jpeg,
    photo_of_ye_at_work,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
PROTECTED = ["潘长君", "长君", "潘蔼章", "张仕娣"]
CHILD_STORY = "jindong-schoolboy-grandparents"


def rss_items(client, query: dict | None = None, language_prefix: str = ""):
    response = client.get(language_prefix + reverse("stories:feed_rss"), query or {})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    return channel, channel.findall("item")


def atom_entries(client, query: dict | None = None):
    response = client.get(reverse("stories:feed_atom"), query or {})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return feed, feed.findall(f"{ATOM}entry")


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_the_feeds_list_only_published_stories_newest_first(client):
    now = timezone.now()
    older = StoryFactory(title="早一些的故事", published_at=now - datetime.timedelta(2))
    newer = StoryFactory(title="新的故事", published_at=now - datetime.timedelta(1))
    StoryFactory(title="草稿故事", status=Story.Status.DRAFT)
    StoryFactory(title="定时故事", published_at=now + datetime.timedelta(hours=1))

    _channel, items = rss_items(client)
    assert [i.findtext("title") for i in items] == ["新的故事", "早一些的故事"]
    assert path_of(items[0].findtext("link")) == newer.get_absolute_url()
    _feed, entries = atom_entries(client)
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["新的故事", "早一些的故事"]
    assert entries[1].find(f"{ATOM}link").get("href").endswith(older.get_absolute_url())


def test_a_feed_holds_at_most_thirty_stories(client):
    StoryFactory.create_batch(FEED_ITEMS + 2)
    assert len(rss_items(client)[1]) == FEED_ITEMS


# The demo takes seconds to load: one test walks every list.
FILTERED_LISTS = [
    {},
    {"region": "450803"},
    {"region": "140225"},
    {"cause": "education"},
    {"measure": "rain_dew"},
    {"measure": "donation", "year": "2019"},
    {"program": "hunyuan-ecommerce"},
    {"year": "2018"},
    # Invalid filters are ignored, as on the page.
    {"region": "no-such-region", "cause": "education"},
    {"year": "abc", "measure": "<script>"},
]


def test_a_filtered_feed_lists_the_stories_of_the_filtered_page(client, demo):
    for query in FILTERED_LISTS:
        page = client.get(reverse("stories:list"), query)
        on_page = [s.get_absolute_url() for s in page.context["story_list"]]
        _channel, items = rss_items(client, query)
        assert [path_of(i.findtext("link")) for i in items] == on_page, query
        _feed, entries = atom_entries(client, query)
        assert len(entries) == len(on_page), query


def test_the_feed_title_names_the_filters(client, demo):
    channel, _items = rss_items(client, {"region": "140225"})
    assert channel.findtext("title") == "浑源县的人物故事 · 扶贫故事"
    channel, _items = rss_items(client, {"year": "2019", "cause": "education"})
    assert channel.findtext("title") == "因学、2019年的人物故事 · 扶贫故事"
    assert channel.findtext("link").endswith("/stories/?cause=education&year=2019")
    channel, _items = rss_items(client, {"region": "nowhere"})
    assert channel.findtext("title") == "人物故事 · 扶贫故事"
    feed, _entries = atom_entries(client, {"region": "450803"})
    assert feed.findtext(f"{ATOM}title") == "港南区的人物故事 · 扶贫故事"
    self_link = feed.find(f"{ATOM}link[@rel='self']").get("href")
    assert self_link.endswith("/stories/feed/atom/?region=450803")


def test_odd_query_strings_never_break_a_feed(client, demo):
    for query in [
        "?region=%00",
        "?year=99999999999999999999",
        "?program=../../etc",
        "?cause=a&cause=b",
        "?page=x",
        "?measure=" + "长" * 500,
    ]:
        for name in ("stories:feed_rss", "stories:feed_atom"):
            assert client.get(reverse(name) + query).status_code == 200, query


def test_english_feeds_link_to_the_english_pages(client, demo):
    # The request activates English in this thread: give the language back.
    with translation.override(settings.LANGUAGE_CODE):
        channel, items = rss_items(client, language_prefix="/en")
    assert "/en/stories/" in channel.findtext("link")
    assert all("/en/stories/" in i.findtext("link") for i in items)


def test_feed_items_carry_dates_byline_and_public_causes_only(client):
    story = StoryFactory(title="有原因的故事", byline="本报记者 李四")
    # Illness is a health detail: shown only with everyone's health consent.
    person = PersonFactory(real_name="赵大成")
    StoryPersonFactory(story=story, person=person)
    ConsentFactory(person=person, covers_health=False)
    story.causes.set(Cause.objects.filter(slug__in=["illness", "education"]))

    _channel, (item,) = rss_items(client)
    assert item.findtext("pubDate")
    assert item.findtext("{http://purl.org/dc/elements/1.1/}creator") == "本报记者 李四"
    assert [c.text for c in item.findall("category")] == ["因学"]
    _feed, (entry,) = atom_entries(client)
    assert entry.findtext(f"{ATOM}published")
    assert entry.findtext(f"{ATOM}updated")
    assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name") == "本报记者 李四"
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == ["因学"]


def test_no_protected_name_reaches_a_feed(client, demo):
    """The child's story with his name written into every text a feed shows."""
    Story.objects.filter(slug=CHILD_STORY).update(
        title="潘长君的求学路",
        dek="长君和爷爷潘蔼章、奶奶张仕娣一起生活。",
        byline="杨亚俊 潘长君",
    )
    photo = StoryPhoto.objects.create(
        story=Story.objects.get(slug=CHILD_STORY),
        image=jpeg("boy.jpg"),
        caption="潘长君在读书。",
        credit="杨亚俊摄",
        alt_text="潘长君",
    )
    photo.people_shown.add(Person.objects.get(real_name="潘长君"))
    for name in ("stories:feed_rss", "stories:feed_atom"):
        for query in ({}, {"region": "450803"}, {"cause": "education"}):
            body = client.get(reverse(name), query).content.decode()
            assert "潘某的求学路" in body
            assert not [n for n in PROTECTED if n in body], (name, query)
            # The boy's photo has no consent: not sent as an enclosure either.
            assert photo.image.name not in body


def test_a_public_photo_is_sent_as_an_enclosure(client, demo):
    photo = photo_of_ye_at_work()
    photo.refresh_from_db()
    _channel, items = rss_items(client)
    (enclosure,) = [
        i.find("enclosure") for i in items if i.find("enclosure") is not None
    ]
    assert enclosure.get("url") == "http://testserver" + photo.public_image.url
    assert enclosure.get("type") == "image/jpeg"
    assert int(enclosure.get("length")) == photo.public_image.size


def test_the_story_list_links_the_feeds_of_its_current_filters(client, demo):
    html = client.get(
        reverse("stories:list"), {"year": "2019", "region": "140225", "utm": "x"}
    ).text
    rss = "/stories/feed/rss/?region=140225&amp;year=2019"
    atom = "/stories/feed/atom/?region=140225&amp;year=2019"
    head, body = html.split("</head>")
    assert (
        f'<link rel="alternate" type="application/rss+xml" '
        f'title="浑源县、2019年的人物故事 (RSS)" href="{rss}">'
    ) in head
    assert (
        f'type="application/atom+xml" title="浑源县、2019年的人物故事 (Atom)" '
        f'href="{atom}"'
    ) in head
    assert f'<a href="{rss}" type="application/rss+xml">RSS</a>' in body
    assert f'<a href="{atom}" type="application/atom+xml">Atom</a>' in body
    # Unfiltered: the feeds of every story.
    html = client.get(reverse("stories:list")).text
    assert 'href="/stories/feed/rss/"' in html


def test_program_and_region_pages_link_the_feeds_of_their_stories(client, demo):
    html = client.get(reverse("programs:detail", args=["hunyuan-ecommerce"])).text
    assert 'href="/stories/feed/rss/?program=hunyuan-ecommerce"' in html
    assert 'href="/stories/feed/atom/?program=hunyuan-ecommerce"' in html
    page = client.get(reverse("programs:region_detail", args=["450803"]))
    assert 'type="application/rss+xml" title="港南区的人物故事 (RSS)"' in page.text
    assert '<a href="/stories/feed/rss/?region=450803"' in page.text
    _channel, items = rss_items(client, {"region": "450803"})
    assert len(items) == page.context["story_count"] == 2
