from django import forms
from django.utils.translation import gettext_lazy as _

from programs.forms import RegionChoiceField
from programs.models import Program, Region
from stories.models import Cause, Measure


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
    program = forms.ModelChoiceField(
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
    )
    measure = forms.ChoiceField(
        label=_("帮扶措施"),
        required=False,
        choices=[("", _("全部措施")), *Measure.choices],
    )
    year = forms.IntegerField(
        label=_("年份"), required=False, min_value=1949, max_value=2100
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # published() reads the clock: evaluate it per request, not at import.
        self.fields["program"].queryset = Program.objects.published().order_by("title")

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
        if data.get("measure"):
            stories = stories.filter(assistance__measure=data["measure"]).distinct()
        if data.get("year"):
            stories = stories.filter(published_at__year=data["year"])
        if data.get("cause") or data.get("measure"):
            stories = self.only_public_matches(stories, data)
        return stories

    @staticmethod
    def only_public_matches(stories, data):
        """Keep stories whose matching cause or assistance line is one readers
        may see: a filter must not reveal a detail the page withholds."""
        cause, measure = data.get("cause"), data.get("measure")
        kept = [
            story.pk
            for story in stories.prefetch_related(
                "assistance__recipient__consents", "outcomes"
            )
            if (not cause or cause in story.public_causes())
            and (
                not measure
                or any(a.measure == measure for a in story.public_assistance())
            )
        ]
        return stories.filter(pk__in=kept)

    @property
    def active(self) -> bool:
        return self.is_bound and any(
            self.cleaned_data.get(name) for name in self.fields
        )
