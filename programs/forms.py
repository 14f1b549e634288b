import copy

from django import forms
from django.utils.translation import gettext_lazy as _

from programs.models import Category, Region


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, region: Region) -> str:
        return "　" * (region.level - 1) + region.name

    def offer(self, regions) -> None:
        """List only these regions (a village among thousands helps no one, and
        rendering each option costs), while still accepting any region of the
        field's queryset that a link names."""
        listed = copy.copy(self)
        listed.queryset = regions
        self.widget.choices = listed.choices


class ProgramFilterForm(forms.Form):
    category = forms.ChoiceField(
        label=_("类别"),
        required=False,
        choices=[("", _("全部类别")), *Category.choices],
    )
    region = RegionChoiceField(
        label=_("地区"),
        required=False,
        queryset=Region.objects.filter(level__lte=Region.Level.COUNTY),
        to_field_name="slug",
        empty_label=_("全部地区"),
    )
