"""Scheduled publishing with a frozen clock: readers see an item from its go-live
time until its expiry, decided when they ask, with no job to run in between."""

import datetime
import re
import zoneinfo

import pytest
from django.urls import reverse

from editorial import services
from programs.models import Program
from stories.models import Story
from tests.editorial.helpers import Status, admin_url, change_form_data
from tests.factories import ProgramFactory, StoryFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2025, 3, 1, 9, 0, tzinfo=SHANGHAI)
GO_LIVE = NOW + datetime.timedelta(hours=2)
EXPIRY = NOW + datetime.timedelta(days=1)
SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def scheduled(model, reviewer, **extra):
    """An item a reviewer published to go live at GO_LIVE."""
    factory = StoryFactory if model is Story else ProgramFactory
    item = factory(
        title=f"定时发布的{model._meta.verbose_name}",
        status=Status.REVIEW,
        published_at=GO_LIVE,
        is_featured=True,
        **extra,
    )
    return services.apply_transition(obj=item, name="publish", user=reviewer)


def story_pages(client, story) -> dict[str, bool]:
    """Where a reader finds the story: its page, the list, home and the sitemap."""
    detail = client.get(story.get_absolute_url())
    assert detail.status_code in (200, 404)
    region = client.get(story.region.get_absolute_url())
    return {
        "detail": detail.status_code == 200,
        "list": story.title in client.get(reverse("stories:list")).text,
        "home": story.title in client.get(reverse("home")).text,
        "sitemap": story.get_absolute_url() in client.get("/sitemap.xml").text,
        "region": story.title in region.text,
    }


def program_pages(client, program) -> dict[str, bool]:
    detail = client.get(program.get_absolute_url())
    assert detail.status_code in (200, 404)
    return {
        "detail": detail.status_code == 200,
        "list": program.title in client.get(reverse("programs:list")).text,
        "home": program.title in client.get(reverse("home")).text,
        "sitemap": program.get_absolute_url() in client.get("/sitemap.xml").text,
    }


def nowhere(pages: dict) -> bool:
    return not any(pages.values())


def everywhere(pages: dict) -> bool:
    return all(pages.values())


def test_publishing_keeps_a_go_live_time_in_the_future(clock, reviewer):
    story = scheduled(Story, reviewer)
    story.refresh_from_db()
    assert story.status == Status.PUBLISHED
    assert story.published_at == GO_LIVE
    assert not story.is_public


def test_a_scheduled_story_is_hidden_from_readers_until_it_goes_live(
    clock, client, reviewer
):
    story = scheduled(Story, reviewer)
    assert nowhere(story_pages(client, story))
    assert client.get(story.get_absolute_url()).status_code == 404

    clock.move_to(GO_LIVE - SECOND)
    assert nowhere(story_pages(client, story))

    clock.move_to(GO_LIVE)
    assert everywhere(story_pages(client, story))
    assert client.get(story.get_absolute_url()).status_code == 200


def test_a_scheduled_program_is_hidden_from_readers_until_it_goes_live(
    clock, client, reviewer
):
    program = scheduled(Program, reviewer)
    assert nowhere(program_pages(client, program))
    clock.move_to(GO_LIVE - SECOND)
    assert nowhere(program_pages(client, program))
    clock.move_to(GO_LIVE)
    assert everywhere(program_pages(client, program))


def test_a_story_disappears_for_readers_when_it_expires(clock, client, reviewer):
    story = scheduled(Story, reviewer, expires_at=EXPIRY)
    clock.move_to(GO_LIVE)
    assert everywhere(story_pages(client, story))
    clock.move_to(EXPIRY - SECOND)
    assert everywhere(story_pages(client, story))
    clock.move_to(EXPIRY)
    assert nowhere(story_pages(client, story))
    assert client.get(story.get_absolute_url()).status_code == 404
    # Still published in the back office: nobody had to press a button.
    assert Story.objects.get(pk=story.pk).status == Status.PUBLISHED


def test_a_program_disappears_for_readers_when_it_expires(clock, client, reviewer):
    program = scheduled(Program, reviewer, expires_at=EXPIRY)
    clock.move_to(GO_LIVE)
    assert everywhere(program_pages(client, program))
    clock.move_to(EXPIRY)
    assert nowhere(program_pages(client, program))


def test_a_scheduled_program_is_not_listed_on_a_live_storys_page(
    clock, client, reviewer
):
    story = StoryFactory(published_at=NOW - datetime.timedelta(days=1))
    program = scheduled(Program, reviewer)
    story.programs.add(program)
    assert program.title not in client.get(story.get_absolute_url()).text
    clock.move_to(GO_LIVE)
    assert program.title in client.get(story.get_absolute_url()).text


def badges(client, model) -> list[str]:
    page = client.get(admin_url(model, "changelist")).text
    return re.findall(r'<td class="field-status_badge">([^<]*)</td>', page)


def state_on_change_page(client, item) -> str:
    page = client.get(admin_url(item, "change", item.pk)).text
    return re.search(r'<span class="state">([^<]*)</span>', page).group(1)


@pytest.mark.parametrize("model", [Story, Program], ids=["story", "program"])
def test_the_admin_list_badge_tells_scheduled_live_and_expired_apart(
    clock, client, reviewer, model
):
    item = scheduled(model, reviewer, expires_at=EXPIRY)
    client.force_login(reviewer)

    assert badges(client, model) == ["定时发布"]
    assert state_on_change_page(client, item) == "定时发布"

    clock.move_to(GO_LIVE)
    assert badges(client, model) == ["已发布"]
    assert state_on_change_page(client, item) == "已发布"

    clock.move_to(EXPIRY)
    assert badges(client, model) == ["已过期下线"]
    assert state_on_change_page(client, item) == "已过期下线"


def test_the_badge_of_an_unpublished_item_is_its_status(client, reviewer):
    StoryFactory(status=Status.DRAFT, published_at=None)
    StoryFactory(status=Status.REVIEW, published_at=None)
    client.force_login(reviewer)
    assert sorted(badges(client, Story)) == ["待审核", "草稿"]


def local(moment: datetime.datetime) -> dict[str, str]:
    moment = moment.astimezone(SHANGHAI)
    return {"date": moment.strftime("%Y-%m-%d"), "time": moment.strftime("%H:%M:%S")}


def test_an_editor_schedules_a_story_in_the_admin_and_a_reviewer_publishes_it(
    clock, client, editor, reviewer
):
    story = StoryFactory(status=Status.DRAFT, published_at=None)
    client.force_login(editor)
    form = client.get(admin_url(story, "change", story.pk))
    go_live, expiry = local(GO_LIVE), local(EXPIRY)
    response = client.post(
        admin_url(story, "change", story.pk),
        change_form_data(
            form,
            published_at_0=go_live["date"],
            published_at_1=go_live["time"],
            expires_at_0=expiry["date"],
            expires_at_1=expiry["time"],
        ),
    )
    assert response.status_code == 302
    client.force_login(reviewer)
    assert client.post(admin_url(story, "transition", story.pk, "publish")).url
    story.refresh_from_db()
    assert (story.status, story.published_at, story.expires_at) == (
        Status.PUBLISHED,
        GO_LIVE,
        EXPIRY,
    )
    client.logout()
    assert client.get(story.get_absolute_url()).status_code == 404
    clock.move_to(GO_LIVE)
    assert client.get(story.get_absolute_url()).status_code == 200
    clock.move_to(EXPIRY)
    assert client.get(story.get_absolute_url()).status_code == 404


def test_an_expiry_before_the_go_live_time_is_refused(clock, client, editor):
    story = StoryFactory(status=Status.DRAFT, published_at=None)
    client.force_login(editor)
    form = client.get(admin_url(story, "change", story.pk))
    go_live, expiry = local(EXPIRY), local(GO_LIVE)
    response = client.post(
        admin_url(story, "change", story.pk),
        change_form_data(
            form,
            published_at_0=go_live["date"],
            published_at_1=go_live["time"],
            expires_at_0=expiry["date"],
            expires_at_1=expiry["time"],
        ),
    )
    assert response.status_code == 200
    assert "下线时间必须晚于上线时间。" in response.text
    assert Story.objects.get(pk=story.pk).expires_at is None
