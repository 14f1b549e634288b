from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import cache_control
from django.views.generic import DetailView, ListView

from portal.sharing import qr_png
from programs.forms import ProgramFilterForm
from programs.models import Program, Region
from programs.rollup import rollup
from stories.models import Story


class PublishedProgramMixin:
    """Readers only ever see published programs."""

    def visible(self):
        return Program.objects.published()

    def get_queryset(self):
        return self.visible().select_related("region", "region__parent")


class ProgramListView(PublishedProgramMixin, ListView):
    paginate_by = 20

    def get_queryset(self):
        self.filters = ProgramFilterForm(self.request.GET or None)
        programs = super().get_queryset()
        if self.filters.is_bound and self.filters.is_valid():
            data = self.filters.cleaned_data
            if data.get("category"):
                programs = programs.filter(category=data["category"])
            if data.get("region"):
                programs = programs.in_region(data["region"])
        return programs

    def get_context_data(self, **kwargs):
        return super().get_context_data(filters=self.filters, **kwargs)


STORIES_SHOWN = 6


class ProgramDetailView(PublishedProgramMixin, DetailView):
    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("parent", "region__parent__parent")
            .prefetch_related(
                "figures",
                "photos",
                Prefetch("parts", queryset=Program.objects.published()),
            )
        )

    def get_context_data(self, **kwargs):
        program = self.object
        parent = program.parent if program.parent and program.parent.is_public else None
        indicators = program.indicators()
        return super().get_context_data(
            parent_program=parent,
            indicators=indicators,
            series=[indicator for indicator in indicators if indicator.is_series],
            # The latest few; the list page has the rest ("全部相关故事").
            stories=Story.objects.published()
            .for_listing()
            .filter(programs=program)[:STORIES_SHOWN],
            **kwargs,
        )


class ProgramPreviewView(ProgramDetailView):
    """The reader's page for any program, published or not (staff preview)."""

    def visible(self):
        return Program.objects.all()

    def get_context_data(self, **kwargs):
        return super().get_context_data(preview=True, **kwargs)


class RegionListView(ListView):
    template_name = "programs/region_list.html"

    def get_queryset(self):
        # Top-level regions with their prefectures and counties: the tree a reader
        # starts from.
        return Region.objects.top_level().prefetch_related("children__children")


class RegionDetailView(DetailView):
    model = Region

    def get_object(self, queryset=None):
        return get_object_or_404(Region, slug=self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        region = self.object
        branches = region.branches()
        area = [region.pk, *branches]
        published_stories = Story.objects.published()
        published_programs = Program.objects.published()
        stories_below = region.count_by_branch(published_stories, branches)
        programs_below = region.count_by_branch(published_programs, branches)
        children = list(region.children.all())
        for child in children:
            child.story_count = stories_below[child.pk]
            child.program_count = programs_below[child.pk]
        return super().get_context_data(
            ancestors=region.ancestors(),
            children=children,
            rollup=rollup(region, branches, children),
            programs=published_programs.filter(region__in=area).select_related(
                "region__parent"
            ),
            stories=published_stories.for_listing().filter(region__in=area)[:12],
            story_count=published_stories.filter(region__in=area).count(),
            **kwargs,
        )


class ProgramBriefView(ProgramDetailView):
    """The program on one printable A4 page: figures, charts, source, QR code."""

    template_name = "programs/program_brief.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        program = self.object
        indicators = program.indicators()
        return {
            **context,
            "indicators": indicators,
            "series": [indicator for indicator in indicators if indicator.is_series],
            "headline_figures": [f for f in program.figures.all() if f.is_headline],
        }


@cache_control(public=True, max_age=24 * 3600)
def program_qr(request, slug: str) -> HttpResponse:
    """A QR code of the program's address, for WeChat and the printed brief."""
    program = get_object_or_404(Program.objects.published(), slug=slug)
    url = request.build_absolute_uri(program.get_absolute_url())
    return HttpResponse(qr_png(url), content_type="image/png")
