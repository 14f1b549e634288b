"""Every public page type stays light and renders without waiting for a script.

Weight is the page's HTML plus every stylesheet it links, in bytes as served
before compression (gzip or Brotli roughly quarter it), under 60 KB. Images are
not counted: photos are loaded lazily. The only scripts
allowed are JSON-LD data blocks, which the browser does not run.
"""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from tests.pages import LANGUAGES, PAGE_TYPES, render_demo_pages

# The module-scoped rendering needs the test database: pytest-django only
# creates it for a session that has tests marked for database access.
pytestmark = pytest.mark.django_db

LIMIT = 60 * 1024
DATA_SCRIPT_TYPES = {"application/ld+json"}


class Resources(HTMLParser):
    """The stylesheets and scripts a page refers to."""

    def __init__(self):
        super().__init__()
        self.stylesheets: list[str] = []
        self.scripts: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and "stylesheet" in (attrs.get("rel") or "").split():
            self.stylesheets.append(attrs["href"])
        elif tag == "script":
            self.scripts.append(attrs)


def stylesheet_bytes(href: str) -> int:
    name = href.removeprefix(settings.STATIC_URL).removeprefix(
        "/" + settings.STATIC_URL
    )
    path = finders.find(name)
    assert path, f"the stylesheet {href} is not a static file"
    return Path(path).stat().st_size


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock():
        pages = render_demo_pages(tmp_path_factory.mktemp("media"))
    return {(page.name, page.language): page for page in pages}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", PAGE_TYPES)
def test_public_page_weighs_under_60_kb_and_runs_no_script(name, language, rendered):
    page = rendered[name, language]
    assert page.status == PAGE_TYPES[name].status, page.label
    resources = Resources()
    resources.feed(page.html)
    html = len(page.html.encode())
    css = sum(stylesheet_bytes(href) for href in resources.stylesheets)
    # -s shows the figures; -rA lists them with the results.
    print(
        f"{page.label}: HTML {html / 1024:.1f} KB + CSS {css / 1024:.1f} KB"
        f" = {(html + css) / 1024:.1f} KB (uncompressed)"
    )
    assert html + css < LIMIT, f"{page.label} weighs {html + css} bytes"
    blocking = [s for s in resources.scripts if s.get("type") not in DATA_SCRIPT_TYPES]
    assert not blocking, f"{page.label} has scripts: {blocking}"
