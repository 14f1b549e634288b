from django import forms
from django.utils.translation import gettext_lazy as _
from pypinyin import lazy_pinyin

from pagecache.store import memo
from programs.forms import FilterSelect, ProgramChoiceField, RegionChoiceField
from programs.models import Program, Region
from stories.models import Assistance, Cause, Measure, Story

# The filters that look at a story's assistance lines: all of them must hold for
# one and the same line readers may see.
ASSISTANCE_FILTERS = ("measure", "provider", "provider_type")


def public_providers() -> list[str]:
    return memo("public-providers", providers_on_published_stories)


def providers_on_published_stories() -> list[str]:
    """Who paid for something, as readers see it on a published story's public
    assistance lines (in pinyin order). A line the story withholds does not
    lend its provider to the filter: the list must reveal nothing the pages do
    not."""
    stories = (
        Story.objects.published()
        .filter(assistance__provider__gt="")
        .distinct()
        .with_details()
    )
    names = {
        story.redact(line.provider)
        for story in stories
        for line in story.public_assistance()
        if line.provider
    }
    return sorted(names, key=lazy_pinyin)


class StoryFilterForm(forms.Form):
    """The filters on the story list. Every value travels in the query string, so a
    filtered list can be bookmarked and shared."""

    region = RegionChoiceField(
        label=_("地区"),
        required=False,
        queryset=Region.objects.all(),
        to_field_name="slug",
        empty_label=_("全部地区"),
    )
    program = ProgramChoiceField(
        label=_("项目"),
        required=False,
        queryset=Program.objects.none(),
        to_field_name="slug",
        empty_label=_("全部项目"),
    )
    cause = forms.ModelChoiceField(
        label=_("致贫原因"),
        required=False,
        queryset=Cause.objects.all(),
        to_field_name="slug",
        empty_label=_("全部原因"),
        widget=FilterSelect,
    )
    measure = forms.ChoiceField(
        label=_("帮扶措施"),
        required=False,
        choices=[("", _("全部措施")), *Measure.choices],
        widget=FilterSelect,
    )
    provider = forms.ChoiceField(
        label=_("提供方"),
        required=False,
        # Filled per request in __init__: only providers readers can see.
        choices=[("", _("全部提供方"))],
        widget=FilterSelect,
    )
    provider_type = forms.ChoiceField(
        label=_("提供方类型"),
        required=False,
        choices=[("", _("全部类型")), *Assistance.ProviderType.choices],
        widget=FilterSelect,
    )
    year = forms.IntegerField(
        label=_("年份"), required=False, min_value=1949, max_value=2100
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = self.data.get("region") if self.is_bound else None
        self.fields["region"].offer(chosen)
        self.fields["program"].offer_published()
        self.fields["provider"].choices = [
            ("", _("全部提供方")),
            *((name, name) for name in public_providers()),
        ]

    def filter(self, stories):
        """Apply the valid filters; an invalid one is reported on the page, ignored."""
        if not self.is_bound:
            return stories
        self.is_valid()
        data = self.cleaned_data
        if data.get("region"):
            stories = stories.in_region(data["region"])
        if data.get("program"):
            stories = stories.filter(programs=data["program"])
        if data.get("cause"):
            stories = stories.filter(causes=data["cause"])
        if data.get("year"):
            stories = stories.filter(published_at__year=data["year"])
        lookups = self.line_lookups(data)
        if lookups:
            # One filter() call: the lookups hold for the same assistance row.
            stories = stories.filter(**lookups).distinct()
        if data.get("cause") or self.assistance_criteria(data):
            stories = self.only_public_matches(stories, data)
        return stories

    @staticmethod
    def assistance_criteria(data) -> dict[str, str]:
        return {name: data[name] for name in ASSISTANCE_FILTERS if data.get(name)}

    @staticmethod
    def line_lookups(data) -> dict[str, str]:
        """A first cut in the database. The provider is compared as readers see
        it (redacted) in only_public_matches, so here it only has to be there."""
        lookups = {
            f"assistance__{name}": data[name]
            for name in ("measure", "provider_type")
            if data.get(name)
        }
        if data.get("provider"):
            lookups["assistance__provider__gt"] = ""
        return lookups

    @classmethod
    def line_matches(cls, story, line, data) -> bool:
        """Whether an assistance line meets every assistance filter in `data`."""
        criteria = cls.assistance_criteria(data)
        return (
            criteria.get("measure", line.measure) == line.measure
            and criteria.get("provider_type", line.provider_type) == line.provider_type
            and (
                "provider" not in criteria
                or story.redact(line.provider) == criteria["provider"]
            )
        )

    @classmethod
    def only_public_matches(cls, stories, data):
        """Keep stories whose matching cause or assistance line is one readers
        may see: a filter must not reveal a detail the page withholds. The
        assistance filters must all hold for one public line ("雨露计划 paid for
        school" is not a story where 雨露计划 paid for something and someone
        else for school)."""
        cause = data.get("cause")
        any_line = bool(cls.assistance_criteria(data))
        kept = [
            story.pk
            for story in stories.with_details()
            if (not cause or cause in story.public_causes())
            and (
                not any_line
                or any(
                    cls.line_matches(story, line, data)
                    for line in story.public_assistance()
                )
            )
        ]
        return stories.filter(pk__in=kept)

    def matches_line(self, story, line) -> bool:
        """For a download: whether a line is one the filters asked about (every
        line, when no assistance filter is set)."""
        data = self.cleaned_data if self.is_bound else {}
        return self.line_matches(story, line, data)

    @property
    def active(self) -> bool:
        return self.is_bound and any(
            self.cleaned_data.get(name) for name in self.fields
        )
