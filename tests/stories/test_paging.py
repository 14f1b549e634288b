"""Readers page through the story list by its links; a deep page costs what
the first does: no OFFSET walk, and no COUNT on every request."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import StoryFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("uncached_pages")]

LIST = "/stories/"


@pytest.fixture
def thirty(db):
    now = timezone.now()
    stories = [
        StoryFactory(
            title=f"第{i:02d}篇", published_at=now - datetime.timedelta(hours=i)
        )
        for i in range(28)
    ]
    # Two published at the same moment: the id decides their order.
    same = now - datetime.timedelta(hours=40)
    stories += [StoryFactory(title=f"第{i}篇", published_at=same) for i in (28, 29)]
    return stories


def titles(page) -> list[str]:
    return re.findall(r"第\d\d篇", page.text)


def link(page, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', page.text)
    return found.group(1).replace("&amp;", "&") if found else None


def test_next_and_previous_links_walk_the_whole_list_in_order(client, thirty):
    expected = [f"第{i:02d}篇" for i in range(28)] + ["第29篇", "第28篇"]
    page, seen, pages = client.get(LIST), [], []
    while True:
        seen += titles(page)
        pages.append(page)
        if not link(page, "next"):
            break
        page = client.get(LIST + link(page, "next"))
    assert seen == expected
    assert len(pages) == 3 and "第 3 / 3 页" in pages[-1].text

    back = client.get(LIST + link(pages[-1], "prev"))
    assert titles(back) == titles(pages[1]) and "第 2 / 3 页" in back.text
    first = client.get(LIST + link(back, "prev"))
    assert titles(first) == titles(pages[0])


def test_a_bare_page_number_and_the_last_page_link_still_work(client, thirty):
    by_links = client.get(LIST + link(client.get(LIST), "next"))
    assert titles(client.get(LIST, {"page": 2})) == titles(by_links)
    assert titles(client.get(LIST, {"page": 3})) == [
        "第24篇",
        "第25篇",
        "第26篇",
        "第27篇",
        "第29篇",
        "第28篇",
    ]


def test_a_deep_page_reached_by_its_link_reads_no_offset_and_counts_once(
    client, thirty
):
    next_link = link(client.get(LIST), "next")
    with CaptureQueriesContext(connection) as queries:
        page = client.get(LIST + next_link)
    assert page.status_code == 200
    sql = " ".join(q["sql"] for q in queries.captured_queries).upper()
    assert "OFFSET" not in sql
    # Counted by the first page already, until the content changes.
    assert "COUNT(" not in sql


@pytest.mark.parametrize(
    "query",
    ["after=garbage", "after=1_2_3", "before=99999999999999999999_1", "after=-5_x"],
)
def test_a_mangled_cursor_is_ignored(client, thirty, query):
    page = client.get(f"{LIST}?page=2&{query}")
    assert page.status_code == 200
    assert titles(page) == titles(client.get(LIST, {"page": 2}))
