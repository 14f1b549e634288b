"""The assistance lines of a filtered story list, as CSV and JSON.

One row per assistance line readers may see (Story.public_assistance) of every
published story the list's filters find, written as the story page writes it:
redacted texts, the recipient's public name or “全家N人”, the amount as the
source stated it. A line the page withholds is not in the file either.
"""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs.downloads import (
    csv_response,
    day,
    download_name,
    envelope,
    json_response,
    qualifier_word,
)
from stories.forms import StoryFilterForm
from stories.models import Assistance, Story

# The whole filtered list, not one page of it, but not the whole archive of a
# big newsroom in one response either: the newest stories first, up to this.
MAX_STORIES = 500

ASSISTANCE_COLUMNS = [
    ("story", gettext_lazy("故事")),
    ("story_url", gettext_lazy("故事网址")),
    ("region", gettext_lazy("地区")),
    ("measure_label", gettext_lazy("帮扶措施")),
    ("description", gettext_lazy("说明")),
    ("provider", gettext_lazy("提供方")),
    ("provider_type_label", gettext_lazy("提供方类型")),
    ("recipient", gettext_lazy("受助人")),
    ("value", gettext_lazy("数值")),
    ("unit", gettext_lazy("单位")),
    ("qualifier_word", gettext_lazy("修饰")),
    ("display", gettext_lazy("原文写法")),
    ("period_label", gettext_lazy("频次")),
    ("year", gettext_lazy("年份")),
    ("source.publication", gettext_lazy("来源媒体")),
    ("source.date", gettext_lazy("来源日期")),
    ("matches_filters_label", gettext_lazy("符合帮扶筛选条件")),
]


def recipient_as_shown(story: Story, line: Assistance) -> str:
    """Who received it, in the words of the story page's table."""
    if line.recipient_id:
        return story.disclosure_of(line.recipient).name
    if line.covers_people:
        return _("全家%(n)s人") % {"n": line.covers_people}
    return ""


def assistance_record(
    story: Story, line: Assistance, story_url: str, matches: bool
) -> dict:
    return {
        "story": story.redact(story.title),
        "story_url": story_url,
        "region": story.region.full_name,
        "measure": line.measure,
        "measure_label": line.get_measure_display(),
        "description": story.redact(line.description),
        "provider": story.redact(line.provider),
        "provider_type": line.provider_type,
        "provider_type_label": line.get_provider_type_display(),
        "recipient": recipient_as_shown(story, line),
        "covers_people": line.covers_people,
        "value": line.value,
        "unit": line.unit,
        "qualifier": line.qualifier,
        "qualifier_word": qualifier_word(line.qualifier),
        "display": line.display,
        "period": line.period,
        "period_label": line.get_period_display(),
        "year": line.year,
        "source": {
            "publication": story.redact(story.source_publication),
            "date": day(story.source_date),
        },
        "matches_filters": matches,
        "matches_filters_label": _("是") if matches else _("否"),
    }


def applied_filters(form: StoryFilterForm) -> dict:
    """The filters that took effect, as query-string values, and those ignored."""
    if not form.is_bound:
        return {}
    applied = {}
    for name in form.fields:
        value = form.cleaned_data.get(name)
        if value in (None, ""):
            continue
        applied[name] = getattr(value, "slug", value)
    if form.errors:
        applied["ignored"] = sorted(form.errors)
    return applied


def filtered_assistance(request: HttpRequest) -> tuple[dict, list[dict], bool]:
    """(filters, records, truncated) for the story list's query string."""
    form = StoryFilterForm(request.GET or None)
    stories = (
        form.filter(Story.objects.published())
        .select_related("region__parent__parent__parent__parent")
        .with_details()
        .order_by("-published_at", "-pk")
    )
    stories = list(stories[: MAX_STORIES + 1])
    truncated = len(stories) > MAX_STORIES
    records = []
    for story in stories[:MAX_STORIES]:
        url = request.build_absolute_uri(story.get_absolute_url())
        for line in story.public_assistance():
            matches = form.matches_line(story, line)
            records.append(assistance_record(story, line, url, matches))
    return applied_filters(form), records, truncated


def with_query(url: str, filters: dict) -> str:
    """`url` with the filters that took effect as its query string."""
    query = {k: v for k, v in filters.items() if k != "ignored"}
    return f"{url}?{urlencode(query)}" if query else url


def assistance_csv(request: HttpRequest) -> HttpResponse:
    _filters, records, _truncated = filtered_assistance(request)
    return csv_response(
        download_name(_("帮扶明细"), "csv"), ASSISTANCE_COLUMNS, records
    )


def assistance_json(request: HttpRequest) -> HttpResponse:
    filters, records, truncated = filtered_assistance(request)
    for record in records:
        del record["matches_filters_label"]
    payload = envelope(
        request, with_query(reverse("stories:list"), filters), filters, records
    )
    payload["truncated"] = truncated
    payload["max_stories"] = MAX_STORIES
    return json_response(download_name(_("帮扶明细"), "json"), payload)
