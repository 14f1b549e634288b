"""The search page as a reader uses it: results, ranking, marked words,
filters, pages, suggestions, and odd input."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from search.services import ReaderQuery, highlight, snippet
from tests.factories import StoryFactory
from tests.search.conftest import result_urls

# The same on SQLite and PostgreSQL: CI runs these on both.
DEMO_RESULTS = {
    "浑源县": [
        "/programs/hunyuan-consumption/",
        "/programs/hunyuan-ecommerce/",
        "/programs/hunyuan-rural-tourism/",
        "/programs/hunyuan-new-drivers/",
        "/stories/zangjingzhuang-millet-online/",
    ],
    "雨露计划": [
        "/stories/jindong-job-closer-to-home/",
        "/programs/gangnan-education/",
        "/stories/jindong-schoolboy-grandparents/",
    ],
    "上学": [
        "/stories/jindong-job-closer-to-home/",
        "/stories/jindong-schoolboy-grandparents/",
    ],
    "低保": ["/stories/jindong-schoolboy-grandparents/"],
    "电商扶贫": [
        "/programs/hunyuan-ecommerce/",
        "/stories/zangjingzhuang-millet-online/",
    ],
    "花菇": [
        "/stories/jiayuan-mushroom-picker/",
        "/programs/chengkou-xiuqi-mushroom-leasing/",
        "/programs/chengkou-collective-economy/",
    ],
    "浑源 小米": [
        "/stories/zangjingzhuang-millet-online/",
        "/programs/hunyuan-new-drivers/",
    ],
}


@pytest.mark.parametrize(("q", "urls"), DEMO_RESULTS.items())
def test_the_demo_answers_each_query_with_these_results(demo, found, q, urls):
    assert found(q) == urls


def test_a_part_of_a_name_finds_the_whole_name(demo, found):
    assert found("浑源") == found("浑源县")
    assert found("雨露") == found("雨露计划")


def test_a_title_match_comes_before_a_newer_story_that_only_mentions_it(db, found):
    now = timezone.now()
    older = StoryFactory(
        title="花菇基地开工了", published_at=now - datetime.timedelta(9)
    )
    newer = StoryFactory(
        body="今年也种了花菇。", published_at=now - datetime.timedelta(1)
    )
    in_dek = StoryFactory(dek="花菇卖上了好价钱。", published_at=now)

    assert found("花菇") == [
        older.get_absolute_url(),
        in_dek.get_absolute_url(),
        newer.get_absolute_url(),
    ]


def test_every_word_of_the_query_must_be_in_a_result(demo, found):
    assert found("浑源县 雨露计划") == []
    assert found("雨露计划 上学") == [
        "/stories/jindong-job-closer-to-home/",
        "/stories/jindong-schoolboy-grandparents/",
    ]


def test_the_page_shows_the_query_the_count_and_marked_words(demo):
    response = Client().get("/search/", {"q": "浑源县"})
    html = response.content.decode()

    assert "<h1>搜索“浑源县”</h1>" in html
    assert "找到 5 条结果：人物故事 1 篇，扶贫项目 4 个" in html
    assert "<mark>浑源县</mark>藏经庄村农民电商" in html
    assert 'id="site-search-q" type="search" name="q" value="浑源县"' in html
    assert '<meta name="robots" content="noindex">' in html


def test_each_results_title_link_is_the_first_link_of_its_item(demo):
    html = Client().get("/search/", {"q": "上学"}).content.decode()

    items = re.findall(r'<li class="search-result">(.*?)</li>', html, re.S)
    assert len(items) == 2
    for item in items:
        first = re.search(r'<a href="([^"]+)">(.*?)</a>', item)
        assert first.group(1).startswith("/stories/")


def test_marking_escapes_the_text_around_the_words():
    marked = highlight("<b>浑源县</b> & ＪＤ", ["浑源县", "jd"])

    assert marked == "&lt;b&gt;<mark>浑源县</mark>&lt;/b&gt; &amp; <mark>ＪＤ</mark>"


def test_a_snippet_is_cut_around_the_first_match():
    text = "一" * 200 + "雨露计划补助" + "二" * 200

    cut = snippet(text, ["雨露计划"], width=60)

    assert cut.startswith("…") and cut.endswith("…")
    assert "<mark>雨露计划</mark>补助" in cut
    assert len(re.sub(r"<[^>]+>", "", cut)) == 62


def test_a_snippet_falls_back_to_the_dek_when_the_words_are_elsewhere():
    assert snippet("正文。", ["浑源县"], fallback="导语。") == "导语。"


def test_the_story_filters_combine_with_the_query_and_keep_it(demo, found):
    gangnan, hunyuan = "450803", "140225"

    assert found("上学", region=gangnan) == DEMO_RESULTS["上学"]
    assert found("上学", cause="education") == [
        "/stories/jindong-schoolboy-grandparents/"
    ]
    assert found("上学", region=hunyuan) == []
    assert found("上学", year="2019", region=gangnan) == DEMO_RESULTS["上学"]
    assert found("上学", year="2018") == []
    html = Client().get("/search/", {"q": "上学", "region": hunyuan}).content.decode()
    assert '<input type="hidden" name="q" value="上学">' in html
    assert 'href="/search/?q=%E4%B8%8A%E5%AD%A6">去掉筛选条件再搜' in html


def test_filters_leave_out_programs_and_say_so(demo, found):
    assert found("浑源县", region="140225") == [
        "/stories/zangjingzhuang-millet-online/"
    ]
    html = Client().get("/search/", {"q": "浑源县", "region": "140225"}).content
    assert "筛选条件只适用于人物故事" in html.decode()


def test_a_type_shows_only_stories_or_only_programs(demo, found):
    assert found("浑源县", type="stories") == ["/stories/zangjingzhuang-millet-online/"]
    assert found("浑源县", type="programs") == DEMO_RESULTS["浑源县"][:4]
    assert found("浑源县", type="nonsense") == DEMO_RESULTS["浑源县"]


def test_pages_keep_the_query_and_the_filters(county, found):
    for n in range(15):
        StoryFactory(title=f"花菇故事{n}", region=county)

    html = Client().get("/search/", {"q": "花菇", "region": county.slug}).content
    html = html.decode()

    assert len(result_urls(html)) == 12
    assert "?q=%E8%8A%B1%E8%8F%87&amp;region=450803&amp;page=2" in html
    assert len(found("花菇", region=county.slug, page="2")) == 3
    assert len(found("花菇", page="99")) == 3  # past the end: the last page
    assert len(found("花菇", page="x")) == 12


@pytest.mark.parametrize("typed", ["浑元县", "浑元"])
def test_a_typo_or_a_fragment_gets_suggestions_that_have_results(demo, typed):
    html = Client().get("/search/", {"q": typed}).content.decode()

    assert f"没有找到与“{typed}”相关的故事或项目。" in html
    assert (
        '<a class="tag" href="/search/?q=%E6%B5%91%E6%BA%90%E5%8E%BF">浑源县</a>'
        in html
    )


def test_an_empty_query_offers_places_and_topics_to_start_from(demo, found):
    response = Client().get("/search/")
    html = response.content.decode()

    assert response.status_code == 200
    terms = re.findall(r'<a class="tag" href="/search/\?q=[^"]+">([^<]+)</a>', html)
    assert {"浑源县", "港南区", "城口县", "电商扶贫", "雨露计划"} <= set(terms)
    assert all(found(term) for term in terms)


def test_the_english_interface_searches_the_same_content(demo):
    response = Client().get("/en/search/", {"q": "雨露计划"})
    html = response.content.decode()

    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert result_urls(html) == ["/en" + url for url in DEMO_RESULTS["雨露计划"]]


ODD_QUERIES = [
    "浑" * 150,
    "😀🙂🇨🇳",
    "%",
    "_",
    "%_%\\",
    "' OR 1=1; DROP TABLE stories_story; --",
    "浑源县\x00上学",
    "<script>alert(1)</script>",
    "'':*&|!()",
    "\u200b\u202e\ufeff",
    " ",
]


@pytest.mark.parametrize("q", ODD_QUERIES)
def test_odd_queries_get_a_page_never_an_error(demo, q):
    response = Client().get("/search/", {"q": q, "page": "-1", "type": "x"})

    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()


@pytest.mark.parametrize(
    "query_string",
    [
        "q=%ED%A0%80",  # a lone surrogate, not UTF-8
        "q=%FF%FE",
        "q=上学&q=低保",
        "q=上学&year=abc&region=nowhere&cause=%00",
        "q=上学&page=99999999999999999999",
    ],
)
def test_malformed_parameters_are_ignored(demo, query_string):
    assert Client().get(f"/search/?{query_string}").status_code == 200


def test_an_overlong_query_is_cut_to_100_characters_with_a_message(demo):
    html = Client().get("/search/", {"q": "雨露计划" * 30}).content.decode()

    assert "搜索词太长，只按前100个字搜索。" in html
    assert len(ReaderQuery.parse("雨露计划" * 30).text) == 100


def test_a_query_without_words_says_so(demo):
    html = Client().get("/search/", {"q": "，。！"}).content.decode()

    assert "搜索词里没有可以查找的字词" in html
