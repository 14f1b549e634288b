from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from editorial.admin import EditorialAdmin
from privacy.forms import PhotoForm
from programs.abstract import format_number
from programs.models import Figure, Program, ProgramPhoto, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "code", "parent", "program_count")
    list_filter = ("level",)
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)
    readonly_fields = ("slug",)
    fields = ("name", "level", "code", "parent", "slug")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("parent")
            .annotate(num_programs=Count("programs"))
            # Counting drops the model's default ordering; pagination needs one.
            .order_by(*Region._meta.ordering)
        )

    @admin.display(description=_("项目数"), ordering="num_programs")
    def program_count(self, region):
        return region.num_programs


class QuantityForm(forms.ModelForm):
    """Shows 4600 rather than 4600.0000 in the value box."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        value = self.initial.get("value")
        if value is not None:
            self.initial["value"] = format_number(value).replace(",", "")


class FigureInline(admin.TabularInline):
    model = Figure
    form = QuantityForm
    extra = 1
    fields = (
        "indicator",
        "value",
        "qualifier",
        "unit",
        "qualifier_after_magnitude",
        "year",
        "period_label",
        "as_of",
        "is_headline",
        "order",
    )


class ProgramPhotoInline(admin.StackedInline):
    model = ProgramPhoto
    form = PhotoForm
    extra = 0
    fields = ("image", "caption", "credit", "alt_text", "order")


@admin.register(Program)
class ProgramAdmin(EditorialAdmin):
    list_display = (
        "title",
        "region",
        "category",
        "status_badge",
        "published_at",
        "figure_count",
        "is_featured",
    )
    list_filter = ("status", "category", "is_featured", "region__level")
    list_select_related = ("region",)
    search_fields = ("title", "summary", "region__name", "lead_organisation")
    date_hierarchy = "published_at"
    autocomplete_fields = ("region", "parent")
    inlines = (FigureInline, ProgramPhotoInline)
    fieldsets = (
        (None, {"fields": ("title", "slug", "region", "category", "parent")}),
        (
            _("内容"),
            {
                "fields": (
                    "summary",
                    "body",
                    "start_year",
                    "end_year",
                    "lead_organisation",
                )
            },
        ),
        (
            _("来源"),
            {"fields": ("source_publication", "source_byline", "source_date")},
        ),
        EditorialAdmin.publication_fieldset,
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(num_figures=Count("figures"))
            .order_by(*Program._meta.ordering)
        )

    @admin.display(description=_("数据条数"), ordering="num_figures")
    def figure_count(self, program):
        return program.num_figures


@admin.register(Figure)
class FigureAdmin(admin.ModelAdmin):
    list_display = ("indicator", "as_written", "when", "program", "is_headline")
    list_filter = ("is_headline", "qualifier", "year", "program__category")
    list_select_related = ("program",)
    search_fields = ("indicator", "program__title")
    autocomplete_fields = ("program",)

    @admin.display(description=_("数字"))
    def as_written(self, figure):
        return figure.display

    @admin.display(description=_("统计期"))
    def when(self, figure):
        return figure.when
