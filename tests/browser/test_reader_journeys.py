"""What a reader does, start to finish, in headless Chromium: browse to a story
in a region, search in Chinese, and use the site on a phone without JavaScript."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from programs.models import Region
from stories.models import Story

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# WCAG 2.5.8 (AA): a target at least 24 by 24 CSS pixels.
MIN_TARGET = 24
# The controls a reader taps on every page: navigation, search, language,
# filters, pagination and the footer. Links inside running text are exempt.
CONTROLS = (
    ".site-header a, .site-header input, .site-header button, "
    ".filters select, .filters input:not([type=hidden]), .filters button, "
    ".search-form input, .search-form button, .pagination a, .site-footer a"
)


@pytest.fixture
def site(live_server, transactional_db):
    call_command("load_demo", verbosity=0)
    return live_server.url


def main_nav(page):
    return page.get_by_role("navigation", name="主导航")


def test_a_reader_goes_from_the_home_page_to_a_story_in_a_region(browser, site):
    region = Region.objects.get(code="450803")
    in_region = Story.objects.published().in_region(region)
    page = browser.new_page()
    page.goto(site + "/")

    main_nav(page).get_by_role("link", name="人物故事").click()
    expect(page).to_have_url(site + "/stories/")
    page.get_by_label("地区", exact=True).select_option(region.slug)
    page.get_by_role("button", name="筛选").click()

    expect(page).to_have_url(re.compile(rf"/stories/\?.*region={region.slug}"))
    expect(page.locator(".results-count")).to_have_text(
        re.compile(rf"找到\s*{in_region.count()}\s*篇故事")
    )
    titles = page.locator(".list-results .card-title a")
    expect(titles).to_have_count(in_region.count())
    title = titles.first.inner_text()
    titles.first.click()

    expect(page.locator("h1")).to_have_text(title)
    story = Story.objects.get(slug=page.url.rstrip("/").rsplit("/", 1)[-1])
    assert story in in_region
    trail = page.get_by_role("navigation", name="所在地区")
    expect(trail).to_contain_text(region.name)
    expect(trail.get_by_role("link", name=story.region.name)).to_be_visible()
    expect(page.locator(".article-footer")).to_contain_text(story.region.full_name)
    page.close()


@pytest.mark.search
def test_a_reader_searches_in_chinese_and_opens_the_first_result(browser, site):
    """Needs the site search: results in <ol class="search-results">, each
    result's title link first in its <li>."""
    page = browser.new_page()
    page.goto(site + "/")
    box = page.get_by_role("searchbox", name="搜索故事和项目")
    box.fill("浑源县")
    box.press("Enter")

    expect(page).to_have_url(re.compile(r"/search/\?q="))
    results = page.locator("ol.search-results > li")
    expect(results.first).to_be_visible()
    first = results.first.locator("a").first
    title, href = first.inner_text().strip(), first.get_attribute("href")
    assert "浑源" in results.first.inner_text()
    first.click()

    expect(page).to_have_url(site + href)
    expect(page.locator("h1")).to_have_text(title)
    page.close()


def check_phone_page(page, what: str) -> None:
    """One h1, nothing wider than the screen, controls big enough to tap.

    Playwright's evaluate() still runs in a context with JavaScript disabled
    (it goes through the DevTools protocol, not the page's scripts)."""
    expect(page.locator("h1"), what).to_have_count(1)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{what} scrolls sideways ({width}px)"
    small = []
    for control in page.locator(CONTROLS).all():
        box = control.bounding_box()
        if box and min(box["width"], box["height"]) < MIN_TARGET:
            small.append(f"{control.evaluate('e => e.outerHTML')[:80]} {box}")
    assert not small, f"{what}: touch targets under {MIN_TARGET}px:\n" + "\n".join(
        small
    )


def test_the_site_works_on_a_phone_without_javascript(browser, site):
    region = Region.objects.get(code="450803")
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()

    page.goto(site + "/")
    check_phone_page(page, "home")

    main_nav(page).get_by_role("link", name="人物故事").click()
    expect(page).to_have_url(site + "/stories/")
    check_phone_page(page, "story list")

    page.get_by_label("地区", exact=True).select_option(region.slug)
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(rf"region={region.slug}"))
    count = Story.objects.published().in_region(region).count()
    expect(page.locator(".results-count")).to_have_text(
        re.compile(rf"找到\s*{count}\s*篇故事")
    )
    check_phone_page(page, "filtered story list")

    page.locator(".list-results .card-title a").first.click()
    expect(page).to_have_url(re.compile(r"/stories/[\w-]+/$"))
    check_phone_page(page, "story")

    trail = page.get_by_role("navigation", name="所在地区")
    trail.get_by_role("link", name=region.name).click()
    expect(page).to_have_url(site + region.get_absolute_url())
    check_phone_page(page, "region")

    page.locator("main a[href^='/programs/']").first.click()
    expect(page).to_have_url(re.compile(r"/programs/[\w-]+/$"))
    check_phone_page(page, "program")

    page.get_by_role("searchbox", name="搜索故事和项目").fill("港南区")
    page.locator(".site-search").get_by_role("button", name="搜索").click()
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    check_phone_page(page, "search results")
    context.close()
