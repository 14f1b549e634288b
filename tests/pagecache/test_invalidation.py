"""Readers get pages from the cache, and never a stale one: every change that
commits makes each affected page fresh on the next request. These tests
commit for real (transactional), as the admin and the importer do."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from import_export.formats.base_formats import CSV

from editorial import services
from imports.services import create_batch, run_batch
from pagecache import store
from pagecache.middleware import PageCacheMiddleware
from programs.models import Program
from programs.resources import FigureResource
from stories.models import Story
from stories.resources import StoryResource
from tests.editorial.helpers import Status
from tests.factories import FigureFactory, ProgramFactory, StoryFactory

pytestmark = pytest.mark.django_db(transaction=True)


def read(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def served_from_cache(client, url: str) -> bool:
    return client.get(url).headers.get("X-Page-Cache") == "hit"


@pytest.fixture
def published(db):
    program = ProgramFactory(title="竹编合作社帮扶项目")
    story = StoryFactory(title="竹编合作社的订单", is_featured=True)
    story.programs.add(program)
    return story, program


def pages_of(story: Story, program: Program) -> list[str]:
    return [
        story.get_absolute_url(),
        reverse("stories:list"),
        reverse("home"),
        story.region.get_absolute_url(),
        program.get_absolute_url(),
        reverse("stories:feed_rss"),
        reverse("stories:feed_atom"),
        "/sitemap.xml",
    ]


def test_a_readers_second_request_is_served_from_the_cache(client, published):
    story, _program = published
    first = read(client, story.get_absolute_url())
    assert first.headers["X-Page-Cache"] == "miss"
    # One query: the content's generation, which the app servers share.
    again = client.get(story.get_absolute_url())
    assert again.headers["X-Page-Cache"] == "hit"
    assert again.content == first.content
    assert again.headers["ETag"] == first.headers["ETag"]


def test_a_hit_runs_one_query_whatever_the_page(
    client, published, django_assert_max_num_queries
):
    for url in pages_of(*published):
        read(client, url)
        with django_assert_max_num_queries(1):
            assert served_from_cache(client, url)


def test_an_edit_makes_every_page_that_shows_the_story_fresh(client, published):
    story, program = published
    urls = pages_of(story, program)
    for url in urls:
        read(client, url)
    story.title = "竹编合作社接到了新订单"
    story.save()
    for url in urls:
        page = read(client, url)
        assert page.headers["X-Page-Cache"] == "miss", url
    assert "竹编合作社接到了新订单" in read(client, story.get_absolute_url()).text
    assert "竹编合作社接到了新订单" in read(client, reverse("stories:list")).text
    assert "竹编合作社接到了新订单" in read(client, reverse("home")).text


def test_publishing_and_unpublishing_through_the_workflow(client, published, reviewer):
    story, program = published
    waiting = StoryFactory(title="等待审核的故事", status=Status.REVIEW)
    read(client, reverse("stories:list"))
    assert client.get(waiting.get_absolute_url()).status_code == 404

    services.apply_transition(obj=waiting, name="publish", user=reviewer)
    assert "等待审核的故事" in read(client, reverse("stories:list")).text
    assert "等待审核的故事" in read(client, waiting.get_absolute_url()).text

    read(client, story.get_absolute_url())
    services.apply_transition(obj=story, name="unpublish", user=reviewer)
    assert client.get(story.get_absolute_url()).status_code == 404
    assert story.title not in read(client, reverse("stories:list")).text
    assert story.title not in read(client, program.get_absolute_url()).text


def import_back(resource, exported: str, *, old: str, new: str):
    data = exported.replace(old, new).encode("utf-8-sig")
    batch = create_batch(
        resource_class=resource,
        user=None,
        file_name="changed.csv",
        data=data,
        file_format=CSV,
        store=False,
    )
    result = run_batch(batch, data=data)
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["update"] == 1


def test_an_import_makes_the_pages_fresh(client, published):
    story, program = published
    FigureFactory(program=program, indicator="合作社订单", value=Decimal("2680"))
    read(client, story.get_absolute_url())
    assert "2680万元" in read(client, program.get_absolute_url()).text
    # Stories go through each row's save(); figures are written in bulk.
    import_back(
        StoryResource,
        CSV().export_data(StoryResource().export()),
        old="竹编合作社的订单",
        new="竹编合作社的订单翻了一番",
    )
    import_back(
        FigureResource,
        CSV().export_data(FigureResource().export()),
        old="2680",
        new="5360",
    )
    assert "竹编合作社的订单翻了一番" in read(client, story.get_absolute_url()).text
    assert "5360万元" in read(client, program.get_absolute_url()).text


def test_a_change_counts_only_once_it_commits(published):
    story, _program = published
    before = store.current()
    with transaction.atomic():
        story.title = "改了两次的标题"
        story.save()
        story.save()
        # Until the commit, other readers still see (and may keep) the old rows.
        assert store.current() == before
    after = store.current()
    assert after != before
    with transaction.atomic():
        story.save()
        transaction.set_rollback(True)
    assert store.current() == after


def test_staff_neither_get_nor_leave_cached_pages(client, admin_client, published):
    story, _program = published
    url = story.get_absolute_url()
    staff_page = admin_client.get(url)
    assert "X-Page-Cache" not in staff_page.headers
    assert admin_client.get(url).headers.get("X-Page-Cache") is None
    assert read(client, url).headers["X-Page-Cache"] == "miss"
    assert admin_client.get(url).headers.get("X-Page-Cache") is None


def test_a_response_that_sets_a_cookie_is_not_kept(rf):
    def view(request):
        response = HttpResponse("只给这一位读者的页面")
        response.set_cookie("reader", "one")
        return response

    middleware = PageCacheMiddleware(view)
    assert middleware(rf.get("/stories/")).headers.get("X-Page-Cache") is None
    assert middleware(rf.get("/stories/")).headers.get("X-Page-Cache") is None


def test_languages_are_kept_apart(client, published):
    story, _program = published
    chinese, english = read(client, "/stories/"), read(client, "/en/stories/")
    assert chinese.content != english.content
    assert served_from_cache(client, "/en/stories/")
    assert read(client, "/stories/").content == chinese.content


def test_head_requests_are_answered_from_the_cache(client, published):
    story, _program = published
    read(client, story.get_absolute_url())
    head = client.head(story.get_absolute_url())
    assert head.status_code == 200 and head.headers["X-Page-Cache"] == "hit"


def test_a_reader_with_a_pending_message_gets_a_page_of_their_own(client, published):
    story, _program = published
    read(client, story.get_absolute_url())
    client.cookies["messages"] = "something only for this reader"
    assert "X-Page-Cache" not in client.get(story.get_absolute_url()).headers


def test_refresh_pages_makes_every_page_fresh(client, published):
    story, _program = published
    read(client, story.get_absolute_url())
    Story.objects.filter(pk=story.pk).update(title="直接改在数据库里的标题")
    assert served_from_cache(client, story.get_absolute_url())
    call_command("refresh_pages")
    assert "直接改在数据库里的标题" in read(client, story.get_absolute_url()).text
