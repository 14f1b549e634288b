from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from programs.models import Program, Region
from stories.models import Story


class StaticSitemap(Sitemap):
    def items(self) -> list[str]:
        return ["home", "stories:list", "programs:list", "programs:region_list"]

    def location(self, item: str) -> str:
        return reverse(item)


class StorySitemap(Sitemap):
    def items(self):
        return Story.objects.published().order_by("pk")

    def lastmod(self, story: Story):
        return story.updated_at


class ProgramSitemap(Sitemap):
    def items(self):
        return Program.objects.published().order_by("pk")

    def lastmod(self, program: Program):
        return program.updated_at


class RegionSitemap(Sitemap):
    def items(self):
        return Region.objects.order_by("pk")


sitemaps = {
    "pages": StaticSitemap,
    "stories": StorySitemap,
    "programs": ProgramSitemap,
    "regions": RegionSitemap,
}
