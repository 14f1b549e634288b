"""The reader's view in a real browser: headless Chromium, phone and desktop widths."""

import pytest
from django.core.management import call_command

from programs.models import Program, Region
from stories.models import Story

pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_server, transactional_db):
    call_command("load_demo", verbosity=0)
    return live_server.url


def reader_pages() -> dict[str, str]:
    story = Story.objects.published().get(people__real_name="叶寿恒")
    program = Program.objects.published().filter(figures__isnull=False).first()
    return {
        "home": "/",
        "stories": "/stories/",
        "story": story.get_absolute_url(),
        "program": program.get_absolute_url(),
        "region": Region.objects.get(code="450803").get_absolute_url(),
    }


@pytest.mark.parametrize("width", [390, 1280])
def test_every_page_fits_the_screen_and_shows_chinese(browser, site, width, tmp_path):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    for name, path in reader_pages().items():
        response = page.goto(site + path)
        assert response.status == 200, path
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (
            f"{name} scrolls sideways at {width}px"
        )
        assert page.locator("h1").count() == 1, name
        assert page.evaluate("document.documentElement.lang") == "zh-Hans"
        page.screenshot(path=str(tmp_path / f"{name}-{width}.png"), full_page=True)
    context.close()


def test_a_reader_without_javascript_filters_stories_by_region(browser, site):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 390, "height": 900}
    )
    page = context.new_page()
    page.goto(site + "/stories/")
    page.select_option("select[name=region]", label="　　港南区")
    page.get_by_role("button", name="筛选").click()
    assert "region=450803" in page.url
    titles = page.locator("main article h2, main article h3").all_inner_texts()
    expected = {
        s.title
        for s in Story.objects.published().in_region(Region.objects.get(code="450803"))
    }
    assert titles and all(
        any(t.strip() == e for e in expected) or "某" in t for t in titles
    )
    context.close()
