from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from programs.abstract import Publishable, format_number, pinyin_slug
from programs.models import Figure, Program, ProgramPhoto, Region


class PublishableAdminMixin:
    """What programs and stories share in the admin: the publication fields, and
    the rule that only reviewers (who hold the publish permission) may publish or
    archive. The rule is enforced when saving, not only by hiding choices."""

    publication_fieldset = (
        _("发布"),
        {"fields": ("status", "published_at", "is_featured")},
    )

    def can_publish(self, request) -> bool:
        opts = self.model._meta
        return request.user.has_perm(f"{opts.app_label}.publish_{opts.model_name}")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        admin_self = self

        class PublishingForm(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                # The slug is filled in from the title's pinyin when left empty:
                # Django's prepopulate script drops every Chinese character.
                if "slug" in self.fields:
                    self.fields["slug"].required = False
                    self.fields["slug"].help_text = _(
                        "留空则按标题的拼音自动生成，如 hunyuan-xian-dian-shang。"
                    )

            def clean(self):
                cleaned = super().clean()
                if (
                    "slug" in self.fields
                    and not cleaned.get("slug")
                    and cleaned.get("title")
                ):
                    cleaned["slug"] = pinyin_slug(cleaned["title"], admin_self.model)
                    self.instance.slug = cleaned["slug"]
                status = cleaned.get("status")
                old_status = self.instance.status if self.instance.pk else None
                restricted = {Publishable.Status.PUBLISHED, Publishable.Status.ARCHIVED}
                changing = status != old_status and (
                    status in restricted or old_status in restricted
                )
                if changing and not admin_self.can_publish(request):
                    self.add_error(
                        "status",
                        _("只有审核人员可以发布、撤下或归档内容。请提交审核。"),
                    )
                return cleaned

        return PublishingForm

    def delete_model(self, request, obj):
        if obj.status == Publishable.Status.PUBLISHED and not self.can_publish(request):
            raise PermissionDenied
        super().delete_model(request, obj)

    @admin.display(description=_("状态"), ordering="status")
    def status_badge(self, obj):
        if obj.status == Publishable.Status.PUBLISHED and not obj.is_public:
            return _("定时发布")
        return obj.get_status_display()


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
    extra = 0
    fields = ("image", "caption", "credit", "alt_text", "order")


@admin.register(Program)
class ProgramAdmin(PublishableAdminMixin, admin.ModelAdmin):
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
        PublishableAdminMixin.publication_fieldset,
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
