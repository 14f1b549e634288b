from django import forms
from django.utils.translation import gettext_lazy as _

from pagecache.store import memo
from privacy.rules import redact_people
from programs.models import Category, Program, Region


class FilterSelect(forms.Select):
    """A select that writes its options in its own template. Django's includes
    a template per option, which on a filter form of a few hundred regions
    and programs was a third of the time of rendering the story list."""

    template_name = "programs/filter_select.html"


class FilterChoiceField(forms.ModelChoiceField):
    """A filter's choice of rows, listed by slug. The list is worked out once
    per change to the content, not per page."""

    widget = FilterSelect

    def choices_of(self, rows) -> list[tuple[str, str]]:
        return [(row.slug, self.label_from_instance(row)) for row in rows]

    def offer_memoised(self, name: str, rows) -> list[tuple[str, str]]:
        listed = memo(name, lambda: self.choices_of(rows))
        self.widget.choices = [("", self.empty_label), *listed]
        return listed


class RegionChoiceField(FilterChoiceField):
    def label_from_instance(self, region: Region) -> str:
        return "　" * (region.level - 1) + region.name

    def offer(self, chosen: str | None = None) -> None:
        """List the regions down to the counties (a village among thousands
        helps no one, and rendering each option costs), and the one a link
        chose, while still accepting any region of the field's queryset."""
        counties = Region.objects.filter(level__lte=Region.Level.COUNTY)
        listed = self.offer_memoised("region-choices", counties)
        if chosen and chosen not in dict(listed):
            self.widget.choices += self.choices_of(Region.objects.filter(slug=chosen))


class ProgramChoiceField(FilterChoiceField):
    def label_from_instance(self, program: Program) -> str:
        # As on every page that names a program: a name a story protects is
        # protected in a program's title too.
        return redact_people(program.title)

    def offer_published(self) -> None:
        """Accept and list the programs readers may see. published() reads
        the clock: this runs per request, not at import."""
        self.queryset = Program.objects.published().order_by("title")
        self.offer_memoised("program-choices", self.queryset)


class ProgramFilterForm(forms.Form):
    category = forms.ChoiceField(
        label=_("类别"),
        required=False,
        choices=[("", _("全部类别")), *Category.choices],
        widget=FilterSelect,
    )
    region = RegionChoiceField(
        label=_("地区"),
        required=False,
        queryset=Region.objects.filter(level__lte=Region.Level.COUNTY),
        to_field_name="slug",
        empty_label=_("全部地区"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].offer()
