from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import cache_control
from django.views.generic import DetailView, ListView

from portal.paging import KeysetPaginator
from portal.sharing import qr_png
from programs.models import Program
from stories.forms import StoryFilterForm
from stories.models import Story, StoryPerson


class PublishedStoryMixin:
    """Readers only ever see published stories."""

    def visible(self):
        return Story.objects.published()

    def get_queryset(self):
        return self.visible().for_listing()


class StoryListView(PublishedStoryMixin, ListView):
    paginate_by = settings.STORIES_PER_PAGE
    paginator_class = KeysetPaginator

    def get_paginator(self, queryset, per_page, **kwargs):
        return self.paginator_class(queryset, per_page, request=self.request, **kwargs)

    def get_queryset(self):
        self.filters = StoryFilterForm(self.request.GET or None)
        return self.filters.filter(super().get_queryset())

    def get_context_data(self, **kwargs):
        return super().get_context_data(filters=self.filters, **kwargs)


class StoryDetailView(PublishedStoryMixin, DetailView):
    def get_queryset(self):
        return (
            super()
            .get_queryset()
            # A village and the four levels above it, for the breadcrumbs.
            .select_related("region__parent__parent__parent__parent")
            .with_details()
            .prefetch_related(
                Prefetch(
                    "storyperson_set",
                    queryset=StoryPerson.objects.select_related("person__household"),
                ),
                Prefetch("programs", queryset=Program.objects.published()),
            )
        )

    def get_context_data(self, **kwargs):
        story = self.object
        # A semi-join, not DISTINCT over a join: the newest published stories
        # are read from the index until four share a program with this one.
        sharing = Story.programs.through.objects.filter(
            program__in=story.programs.all()
        ).values("story_id")
        related = (
            Story.objects.published()
            .for_listing()
            .filter(pk__in=sharing)
            .exclude(pk=story.pk)[:4]
        )
        assistance = story.public_assistance()
        return super().get_context_data(
            featured_people=story.storyperson_set.all(),
            assistance=assistance,
            withheld_assistance=len(story.assistance.all()) - len(assistance),
            assistance_totals=story.assistance_totals(),
            related_stories=related,
            **kwargs,
        )


class StoryPreviewView(StoryDetailView):
    """The reader's page for any story, published or not: staff preview and
    signed preview links, never linked from public pages."""

    def visible(self):
        return Story.objects.all()

    def get_context_data(self, **kwargs):
        return super().get_context_data(preview=True, **kwargs)


@cache_control(public=True, max_age=24 * 3600)
def story_qr(request, slug: str) -> HttpResponse:
    """A QR code of the story's address, for WeChat: scan it to open the page."""
    story = get_object_or_404(Story.objects.published(), slug=slug)
    url = request.build_absolute_uri(story.get_absolute_url())
    return HttpResponse(qr_png(url), content_type="image/png")
