from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap
from django.contrib.sites.requests import RequestSite
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from programs.models import Program, Region
from stories.models import Story


class ReaderSitemap(Sitemap):
    """Every page in each interface language, with hreflang alternates: the
    English interface at /en/ is the same page for another reader."""

    i18n = True
    alternates = True
    x_default = True

    def __init__(self, request_site: RequestSite | None = None):
        self.request_site = request_site

    def get_domain(self, site=None) -> str:
        # The request's host, as every other link of the portal: the sites
        # framework's domain is there only for django.contrib.redirects.
        return super().get_domain(self.request_site or site)


class StaticSitemap(ReaderSitemap):
    def items(self) -> list[str]:
        return ["home", "stories:list", "programs:list", "programs:region_list"]

    def location(self, item: str) -> str:
        return reverse(item)


class StorySitemap(ReaderSitemap):
    def items(self):
        return Story.objects.published().order_by("pk")

    def lastmod(self, story: Story):
        return story.updated_at


class ProgramSitemap(ReaderSitemap):
    def items(self):
        return Program.objects.published().order_by("pk")

    def lastmod(self, program: Program):
        return program.updated_at


class RegionSitemap(ReaderSitemap):
    def items(self):
        return Region.objects.order_by("pk")


sitemaps = {
    "pages": StaticSitemap,
    "stories": StorySitemap,
    "programs": ProgramSitemap,
    "regions": RegionSitemap,
}


def sitemap_xml(request: HttpRequest) -> HttpResponse:
    site = RequestSite(request)
    return sitemap(request, {name: cls(site) for name, cls in sitemaps.items()})
