"""PostgreSQL keeps a tsvector with a GIN index, and searches use it."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from search import services
from search.models import SearchEntry
from search.services import ReaderQuery, matches, planner, story_matches
from tests.factories import StoryFactory
from tests.search.conftest import result_urls

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL only"
)


@pytest.mark.django_db
def test_the_vector_column_has_a_gin_index():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s",
            ["search_entry_vector_gin"],
        )
        (definition,) = cursor.fetchone()

    assert "USING gin (vector)" in definition


@pytest.mark.django_db
def test_saving_writes_a_weighted_vector(found):
    story = StoryFactory(title="小米上了网店", dek="浑源县的小米。")
    found("小米")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT vector::text FROM search_searchentry WHERE story_id = %s",
            [story.pk],
        )
        (vector,) = cursor.fetchone()

    # Title words weigh A, the dek's B, the rest C.
    assert re.search(r"'小米':1A,\d+B", vector)
    assert "'网店':3A" in vector
    assert re.search(r"'浑源县':\d+B", vector)
    # and lexemes for its region and year, which the filters look up
    assert f"'地区:{story.region_id}'" in vector
    assert f"'年份:{timezone.localtime(story.published_at).year}'" in vector


@pytest.mark.django_db
def test_a_search_matches_on_the_vector_through_the_gin_index(found):
    StoryFactory(title="小米上了网店")
    found("小米")
    entries = story_matches(ReaderQuery.parse("小米 网店"))

    sql = str(entries.query)
    assert re.search(r'"search_searchentry"\."vector" @@ \(?to_tsquery', sql)
    assert "stories_story" not in sql  # the entry carries what published() needs
    # The match alone, over a handful of rows the planner would rather read.
    with planner(enable_seqscan="off"):
        plan = matches(SearchEntry.objects.all(), ["小米", "网店"]).explain()
    assert "search_entry_vector_gin" in plan


@pytest.mark.django_db
def test_a_common_word_ranks_its_newest_matches(found, monkeypatch):
    # As if there were a million stories, and 小米 in most of them.
    monkeypatch.setattr(services, "RANKED_LIMIT", 3)
    monkeypatch.setattr(services, "published_entries", lambda item: 1_000_000)
    monkeypatch.setattr(services.Matches, "is_common", lambda self: True)
    day, now = datetime.timedelta(days=1), timezone.now()
    StoryFactory(title="小米丰收", published_at=now - 9 * day)  # not among the newest
    older = StoryFactory(body="种小米。", published_at=now - 3 * day)
    in_title = StoryFactory(title="小米上了网店", published_at=now - 2 * day)
    newest = StoryFactory(body="卖小米。", published_at=now - day)

    html = Client().get("/search/", {"q": "小米"}).content.decode()

    assert result_urls(html) == [
        in_title.get_absolute_url(),
        newest.get_absolute_url(),
        older.get_absolute_url(),
    ]
    assert "找到约" in html
    assert "结果很多，下面按相关程度列出最新的 3 条" in html
