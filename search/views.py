from django.conf import settings
from django.views.generic import TemplateView

from search.services import KINDS, ReaderQuery, popular_terms, search
from stories.forms import StoryFilterForm


class SearchView(TemplateView):
    """Stories and programs matching the reader's words, with the story list's
    filters. An empty query shows where to start instead."""

    template_name = "search/results.html"
    paginate_by = settings.STORIES_PER_PAGE

    def get_context_data(self, **kwargs):
        params = self.request.GET
        query = ReaderQuery.parse(params.get("q", ""))
        kind = params.get("type") if params.get("type") in KINDS else "all"
        filters = StoryFilterForm(params or None)
        context = super().get_context_data(
            query=query, search_query=query.text, filters=filters, **kwargs
        )
        if not query:
            return {**context, "kind": kind, "popular_terms": popular_terms()}
        found = search(
            query,
            filters=filters,
            kind=kind,
            page=params.get("page"),
            per_page=self.paginate_by,
        )
        return {
            **context,
            "kind": found.kind,
            "counts": found.counts,
            "page_obj": found.page,
            "suggestions": found.suggestions,
            "approximate": found.approximate,
        }
