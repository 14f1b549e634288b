from django import template
from django.urls import reverse

from stories.downloads import applied_filters, with_query
from stories.forms import StoryFilterForm

register = template.Library()


@register.simple_tag
def filtered_download(name: str, filters: StoryFilterForm) -> str:
    """The address of a download of the list's stories: the filters that took
    effect, in the form's order (not the page number, not ignored values)."""
    return with_query(reverse(name), applied_filters(filters))
