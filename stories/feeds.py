"""RSS and Atom feeds of the latest stories, for the whole list or any filtered
list: the feed of /stories/?region=140225 is /stories/feed/rss/?region=140225,
and lists exactly the stories that page lists, redacted the same way."""

import copy
import mimetypes
from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import gettext as _

from portal.sharing import filter_query
from privacy.rules import redact_people
from stories.forms import StoryFilterForm
from stories.models import Story

FEED_ITEMS = 30


def filters_label(filters: StoryFilterForm) -> str:
    """The valid filters in words, in the form's order: "浑源县、因学、2019年"."""
    if not filters.is_bound:
        return ""
    filters.is_valid()  # cleaned_data keeps the valid fields only
    parts = []
    for name, field in filters.fields.items():
        value = filters.cleaned_data.get(name)
        if value in (None, ""):
            continue
        if name == "year":
            parts.append(_("%(year)s年") % {"year": value})
        elif hasattr(field, "queryset"):
            # A region's or cause's name, a program's title: none names anyone
            # but a program's might quote a story, so it is redacted.
            parts.append(redact_people(str(value)))
        else:
            parts.append(str(dict(field.choices).get(value, value)))
    return "、".join(parts)


def feed_title(label: str) -> str:
    """A feed's (and a filtered list's) title: "浑源县的人物故事"."""
    if label:
        return _("%(filters)s的人物故事") % {"filters": label}
    return _("人物故事")


def feed_url(name: str, query: dict[str, str]) -> str:
    return reverse(name) + (f"?{urlencode(query)}" if query else "")


class LatestStoriesRssFeed(Feed):
    """The newest published stories, filtered like the story list."""

    feed_type = Rss201rev2Feed
    url_name = "stories:feed_rss"

    def __call__(self, request, *args, **kwargs):
        # One instance serves every request; the links need this one's host
        # (not the sites framework's domain), so each request gets its own copy.
        feed = copy.copy(self)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs) -> StoryFilterForm:
        # Invalid filters are ignored, as on the list page: never a 500.
        return StoryFilterForm(request.GET or None)

    def title(self, filters: StoryFilterForm) -> str:
        return f"{feed_title(filters_label(filters))} · {_('扶贫故事')}"

    def link(self, filters: StoryFilterForm) -> str:
        # The list these filters give (only the valid ones, in a stable order).
        url = feed_url("stories:list", filter_query(filters))
        return self.request.build_absolute_uri(url)

    def feed_url(self, filters: StoryFilterForm) -> str:
        url = feed_url(self.url_name, filter_query(filters))
        return self.request.build_absolute_uri(url)

    def description(self, filters: StoryFilterForm) -> str:
        return _("脱贫攻坚中的人物故事：每一户人家得到了什么帮助，之后有什么变化。")

    subtitle = description  # Atom's name for it

    def items(self, filters: StoryFilterForm):
        stories = Story.objects.published().for_listing()
        return filters.filter(stories).order_by("-published_at", "-pk")[:FEED_ITEMS]

    # Readers treat both as HTML (Atom says type="html"): escaped, as Django's
    # own item_title is, so a "<" in a title stays a character.
    def item_title(self, story: Story) -> str:
        return escape(story.redact(story.title))

    def item_description(self, story: Story) -> str:
        return escape(story.redact(story.dek))

    def item_link(self, story: Story) -> str:
        return self.request.build_absolute_uri(story.get_absolute_url())

    def item_pubdate(self, story: Story):
        return story.published_at

    def item_updateddate(self, story: Story):
        return story.updated_at

    def item_author_name(self, story: Story) -> str | None:
        return story.redact(story.byline) or None

    def item_categories(self, story: Story) -> list[str]:
        return [cause.name for cause in story.public_causes()]

    def item_enclosures(self, story: Story) -> list[Enclosure]:
        """The first photo readers may see, if it has a file."""
        for photo in story.public_photos():
            image = photo.publishable_version()
            if not image:
                continue
            try:
                length = image.size
            except OSError:  # the file is missing from storage: no enclosure
                return []
            mime_type = mimetypes.guess_type(image.name)[0] or "image/jpeg"
            url = self.request.build_absolute_uri(image.url)
            return [Enclosure(url, str(length), mime_type)]
        return []


class LatestStoriesAtomFeed(LatestStoriesRssFeed):
    feed_type = Atom1Feed
    url_name = "stories:feed_atom"
