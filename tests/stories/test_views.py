import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from stories.models import Measure, Story
from tests.factories import AssistanceFactory, RegionFactory, StoryFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "state",
    [
        {"status": Story.Status.DRAFT},
        {"status": Story.Status.REVIEW},
        {"status": Story.Status.ARCHIVED},
        {"published_at": "future"},
    ],
    ids=["draft", "in review", "archived", "future-dated"],
)
def test_anonymous_reader_gets_404_for_unpublished_stories(client, state):
    if state.get("published_at") == "future":
        state = {"published_at": timezone.now() + datetime.timedelta(minutes=5)}
    story = StoryFactory(title="尚未发布的故事", **state)
    assert client.get(story.get_absolute_url()).status_code == 404
    listing = client.get(reverse("stories:list"))
    assert "尚未发布的故事" not in listing.text
    assert "尚未发布的故事" not in client.get(reverse("home")).text


def test_a_story_appears_once_its_time_comes(client):
    story = StoryFactory(published_at=timezone.now() + datetime.timedelta(seconds=1))
    assert client.get(story.get_absolute_url()).status_code == 404
    Story.objects.filter(pk=story.pk).update(published_at=timezone.now())
    assert client.get(story.get_absolute_url()).status_code == 200


def test_story_list_paginates(client, settings):
    settings.STORIES_PER_PAGE = 12
    for _ in range(13):
        StoryFactory()
    first = client.get(reverse("stories:list"))
    assert len(first.context["story_list"]) == 12
    second = client.get(reverse("stories:list"), {"page": 2})
    assert len(second.context["story_list"]) == 1
    assert client.get(reverse("stories:list"), {"page": 99}).status_code == 404


def test_story_list_filters_by_region_including_villages_below(client, county):
    village = RegionFactory(name="锦垌村", level=5, code="", parent=county)
    there = StoryFactory(region=village, title="村里的故事")
    StoryFactory(title="别处的故事")
    page = client.get(reverse("stories:list"), {"region": county.slug})
    assert list(page.context["story_list"]) == [there]


def test_story_list_filters_by_measure_and_year(client):
    school = StoryFactory(
        title="上学的故事", published_at=timezone.now() - datetime.timedelta(days=1)
    )
    AssistanceFactory(story=school, measure=Measure.RAIN_DEW)
    AssistanceFactory(story=school, measure=Measure.RAIN_DEW)
    StoryFactory(title="别的故事")
    page = client.get(reverse("stories:list"), {"measure": "rain_dew"})
    assert list(page.context["story_list"]) == [school]
    year = school.published_at.year
    assert (
        school
        in client.get(reverse("stories:list"), {"year": year}).context["story_list"]
    )
    assert not client.get(reverse("stories:list"), {"year": 1990}).context["story_list"]


def test_a_bad_filter_is_explained_not_an_error(client):
    StoryFactory(title="一个故事")
    page = client.get(
        reverse("stories:list"), {"region": "no-such-place", "year": "abc"}
    )
    assert page.status_code == 200
    assert "一个故事" in page.text
    assert page.context["filters"].errors


def test_story_page_shows_the_assistance_table_with_totals(client, demo):
    story = Story.objects.get(people__real_name="叶寿恒")
    page = client.get(story.get_absolute_url())
    assert page.status_code == 200
    for line in story.assistance.all():
        assert line.display in page.text
    for total in story.assistance_totals():
        assert total.display in page.text


def test_the_child_is_never_named_on_public_pages(client, demo):
    story = Story.objects.get(people__real_name="潘长君")
    for url in [
        story.get_absolute_url(),
        reverse("stories:list"),
        reverse("home"),
        story.region.get_absolute_url(),
    ]:
        text = client.get(url).text
        # Neither he nor the grandparents he lives with, who would identify him.
        for name in ("潘长君", "长君", "潘蔼章", "张仕娣"):
            assert name not in text, (url, name)
        assert "潘某" in text or url != story.get_absolute_url()
