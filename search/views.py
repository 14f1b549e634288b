from django.views.generic import TemplateView


class SearchView(TemplateView):
    """Placeholder until the search issue lands; replaced by the real search."""

    template_name = "search/results.html"
