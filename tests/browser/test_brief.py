"""The printable program brief in Chromium: every demo program's brief prints on
one A4 page, and the share section and brief fit a phone and a desktop."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from programs.models import Program
from stories.models import Story

pytestmark = pytest.mark.browser

# /Type /Page objects, one per printed page (not the /Type /Pages tree node).
PDF_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


@pytest.fixture
def site(live_server, transactional_db):
    call_command("load_demo", verbosity=0)
    return live_server.url


def test_every_demo_programs_brief_prints_on_one_a4_page(browser, site):
    page = browser.new_page()
    slugs = list(Program.objects.published().values_list("slug", flat=True))
    assert len(slugs) > 10
    for slug in slugs:
        response = page.goto(site + reverse("programs:brief", args=[slug]))
        assert response.status == 200, slug
        pdf = page.pdf(format="A4")
        assert len(PDF_PAGE.findall(pdf)) == 1, f"{slug} does not fit one A4 page"
    # The printout leaves out the site's navigation and footer.
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".site-footer").is_visible()
    assert page.locator(".brief-qr").is_visible()
    page.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_share_section_and_brief_fit_the_screen(browser, site, width, tmp_path):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    story = Story.objects.published().get(people__real_name="潘长君")
    pages = {
        "story": story.get_absolute_url(),
        "program": reverse("programs:detail", args=["hunyuan-ecommerce"]),
        "brief": reverse("programs:brief", args=["hunyuan-ecommerce"]),
    }
    for name, path in pages.items():
        assert page.goto(site + path).status == 200
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        qr = page.locator(".share-qr, .brief-qr").first
        qr.scroll_into_view_if_needed()
        # The QR image loaded (a broken image has no natural width).
        assert qr.evaluate("img => img.complete && img.naturalWidth > 0"), name
        page.screenshot(path=str(tmp_path / f"{name}-{width}.png"), full_page=True)
    context.close()
