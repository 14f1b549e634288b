"""Every type of public page, in one place.

The accessibility, HTML-validity and page-weight checks all walk this list, in
each interface language, so a new page type is one line in `PAGE_TYPES`. Paths
come from the demo content (`load_demo`), so they need the database.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from programs.models import Program, Region
from stories.models import Story

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def story_of(real_name: str) -> str:
    return Story.objects.published().get(people__real_name=real_name).get_absolute_url()


def program_with_charts() -> Program:
    """A program with at least one indicator over several years (an SVG chart)."""
    programs = Program.objects.published().prefetch_related("figures")
    return next(p for p in programs if any(i.is_series for i in p.indicators()))


def program_brief() -> str:
    return reverse("programs:brief", kwargs={"slug": program_with_charts().slug})


@dataclass(frozen=True)
class PageType:
    path: Callable[[], str]
    status: int = 200
    # A fragment of the HTML that shows the page is the case it stands for
    # (results found, none found, a chart drawn).
    shows: str = ""


def stories_list(query: str = "") -> Callable[[], str]:
    return lambda: reverse("stories:list") + query


def search(query: str) -> Callable[[], str]:
    return lambda: reverse("search:results") + query


PAGE_TYPES: dict[str, PageType] = {
    "home": PageType(lambda: reverse("home")),
    "story-list": PageType(stories_list()),
    "story-list-filtered": PageType(
        stories_list("?region=450803"), shows='class="card-title"'
    ),
    # 天柱县 has a program but no story.
    "story-list-filtered-empty": PageType(
        stories_list("?region=522627"), shows='class="empty"'
    ),
    "story-of-a-child": PageType(lambda: story_of("潘长君")),
    "story-of-an-adult": PageType(lambda: story_of("叶寿恒")),
    "program-list": PageType(lambda: reverse("programs:list")),
    "program-with-charts": PageType(
        lambda: program_with_charts().get_absolute_url(), shows='class="chart-svg"'
    ),
    "region-list": PageType(lambda: reverse("programs:region_list")),
    # 城口县: townships and villages under it, programs and stories in them.
    "region-county-with-villages": PageType(
        lambda: Region.objects.get(code="500229").get_absolute_url(),
        shows='class="region-children"',
    ),
    "search-results": PageType(search("?q=浑源县"), shows='class="search-results"'),
    "search-no-results": PageType(search("?q=火星移民"), shows='class="search-empty"'),
    "program-brief": PageType(program_brief),
    "not-found": PageType(lambda: "/no-such-page/", status=404),
}


def page_url(name: str, language: str) -> str:
    """The path of a page type in an interface language (`/en/…` for English)."""
    with translation.override(language):
        path = PAGE_TYPES[name].path()
    if language != settings.LANGUAGE_CODE and not path.startswith(f"/{language}/"):
        # Addresses that are not reversed (the 404) get the prefix by hand.
        path = f"/{language}{path}"
    return path


@dataclass(frozen=True)
class RenderedPage:
    name: str
    language: str
    url: str
    status: int
    html: str
    error: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} [{self.language}] {self.url}" + (
            f" raised {self.error}" if self.error else ""
        )


def render_all_pages() -> list[RenderedPage]:
    """Every page type in every language, through the Django test client (needs
    the demo content)."""
    client = Client()
    pages = []
    for name in PAGE_TYPES:
        for language in LANGUAGES:
            url = page_url(name, language)
            try:
                # A savepoint, so that a page that fails leaves the others working.
                with transaction.atomic():
                    response = client.get(url)
            except Exception as error:  # reported on that page, not on all of them
                pages.append(RenderedPage(name, language, url, 500, "", repr(error)))
                continue
            pages.append(
                RenderedPage(name, language, url, response.status_code, response.text)
            )
    return pages


def render_demo_pages(media_root: Path) -> list[RenderedPage]:
    """`render_all_pages` on the demo content, rolled back afterwards: for a
    module-scoped fixture that renders once for many parametrized tests."""
    plain_static = {
        **settings.STORAGES,
        # As in tests/conftest.py: the hashed-name storage needs collectstatic.
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    # Requests leave their language active in this thread; later tests must
    # start from the default one.
    with (
        override_settings(STORAGES=plain_static, MEDIA_ROOT=media_root),
        translation.override(settings.LANGUAGE_CODE),
        transaction.atomic(),
    ):
        call_command("load_demo", verbosity=0)
        rendered = render_all_pages()
        transaction.set_rollback(True)
    return rendered
