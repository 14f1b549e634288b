from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from editorial.admin import EditorialAdmin
from editorial.consents import return_lapsed
from editorial.services import can_edit, editable
from privacy import services as privacy
from privacy.admin import ConsentInline
from privacy.forms import PhotoForm
from programs.admin import QuantityForm, SpreadsheetAdminMixin
from stories.models import (
    Assistance,
    AssistanceTotal,
    Cause,
    Household,
    Outcome,
    Person,
    Story,
    StoryPerson,
    StoryPhoto,
)
from stories.resources import AssistanceResource, PersonResource, StoryResource


class StoryPersonInline(admin.TabularInline):
    model = StoryPerson
    extra = 1
    autocomplete_fields = ("person",)
    fields = ("person", "role", "order")


class AssistanceInline(admin.TabularInline):
    model = Assistance
    form = QuantityForm
    extra = 1
    autocomplete_fields = ("recipient",)
    fields = (
        "measure",
        "description",
        "provider",
        "provider_type",
        "recipient",
        "covers_people",
        "value",
        "qualifier",
        "unit",
        "period",
        "year",
        "order",
    )


class OutcomeInline(admin.TabularInline):
    model = Outcome
    form = QuantityForm
    extra = 0
    autocomplete_fields = ("person",)
    fields = (
        "person",
        "description",
        "value",
        "qualifier",
        "unit",
        "qualifier_after_magnitude",
        "period_label",
        "order",
    )


class StoryPhotoInline(admin.StackedInline):
    model = StoryPhoto
    form = PhotoForm
    extra = 0
    autocomplete_fields = ("people_shown",)
    fields = (
        "image",
        "caption",
        "credit",
        "alt_text",
        "people_shown",
        ("must_blur_faces", "blurred_image"),
        "order",
    )


@admin.register(Story)
class StoryAdmin(SpreadsheetAdminMixin, EditorialAdmin):
    resource_classes = (StoryResource,)
    list_display = (
        "title",
        "region",
        "status_badge",
        "published_at",
        "assistance_summary",
        "is_featured",
    )
    list_filter = (
        "status",
        "is_featured",
        "causes",
        "assistance__measure",
        "programs__category",
    )
    list_select_related = ("region",)
    search_fields = (
        "title",
        "dek",
        "body",
        "byline",
        "region__name",
        "people__real_name",
    )
    date_hierarchy = "published_at"
    # Django's zh-hans catalogue lacks the filter_horizontal widget's newer strings;
    # the autocomplete widget is fully translated.
    autocomplete_fields = ("region", "programs", "causes")
    readonly_fields = ("assistance_totals", "what_readers_see")
    inlines = (StoryPersonInline, AssistanceInline, OutcomeInline, StoryPhotoInline)
    fieldsets = (
        (None, {"fields": ("title", "slug", "dek", "byline", "region")}),
        (_("正文"), {"fields": ("body", "outcome")}),
        (_("分类"), {"fields": ("programs", "causes")}),
        (_("帮扶合计"), {"fields": ("assistance_totals",)}),
        (
            _("隐私：读者看到的人物"),
            {"fields": ("mentions_health", "what_readers_see")},
        ),
        (
            _("来源"),
            {"fields": ("source_publication", "source_date"), "classes": ("collapse",)},
        ),
        EditorialAdmin.publication_fieldset,
    )

    def changelist_view(self, request, extra_context=None):
        return_lapsed()
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return_lapsed()
        return super().change_view(request, object_id, form_url, extra_context)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(num_assistance=Count("assistance", distinct=True))
            .order_by(*Story._meta.ordering)
            .prefetch_related("assistance")
        )

    @admin.display(description=_("帮扶明细"), ordering="num_assistance")
    def assistance_summary(self, story):
        totals = AssistanceTotal.of(story.assistance.all())
        return "；".join(f"{t.period_label} {t.display}" for t in totals) or "—"

    @admin.display(description=_("读者看到的人物"))
    def what_readers_see(self, story):
        if not story.pk:
            return _("保存后显示。")
        rows = format_html_join(
            "",
            "<li>{} → <strong>{}</strong>（{}）</li>",
            (
                (
                    sp.person.real_name,
                    story.disclosure_of(sp.person).name,
                    "；".join(str(r) for r in story.disclosure_of(sp.person).reasons),
                )
                for sp in story.storyperson_set.select_related("person")
            ),
        )
        problems = privacy.publication_problems(story)
        if problems:
            rows += format_html(
                '<li class="errornote">{}<ul>{}</ul></li>',
                _("发布前需要补齐："),
                format_html_join("", "<li>{}</li>", ((p,) for p in problems)),
            )
        return format_html("<ul>{}</ul>", rows) if rows else "—"

    @admin.display(description=_("帮扶合计"))
    def assistance_totals(self, story):
        totals = story.assistance_totals() if story.pk else []
        if not totals:
            return _("保存帮扶明细后自动计算。")
        return format_html_join(
            "",
            "<p>{}：<strong>{}</strong>（{}项）</p>",
            ((t.period_label, t.display, t.lines) for t in totals),
        )


@admin.register(Person)
class PersonAdmin(SpreadsheetAdminMixin, admin.ModelAdmin):
    resource_classes = (PersonResource,)
    list_display = (
        "real_name",
        "shown_as",
        "household",
        "household_role",
        "birth_year",
        "age",
        "age_as_of",
    )
    list_filter = ("household_role", "gender", "display_policy")
    list_select_related = ("household",)
    search_fields = ("real_name", "household__name", "description")
    autocomplete_fields = ("household",)
    inlines = (ConsentInline,)
    readonly_fields = ("shown_as",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "real_name",
                    "gender",
                    ("birth_year", "age", "age_as_of"),
                    ("household", "household_role"),
                    "description",
                )
            },
        ),
        (_("公开显示"), {"fields": (("display_policy", "pseudonym"), "shown_as")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("consents")

    @admin.display(description=_("读者今天看到"))
    def shown_as(self, person):
        if not person.pk:
            return "—"
        disclosure = person.disclosure()
        return format_html(
            "<strong>{}</strong>（{}）",
            disclosure.name,
            "；".join(str(r) for r in disclosure.reasons),
        )


class MemberInline(admin.TabularInline):
    model = Person
    extra = 0
    fields = ("real_name", "household_role", "birth_year", "age", "age_as_of")
    show_change_link = True


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "size")
    list_select_related = ("region",)
    search_fields = ("name", "region__name", "members__real_name")
    autocomplete_fields = ("region",)
    inlines = (MemberInline,)


@admin.register(Cause)
class CauseAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "order")
    list_editable = ("order",)
    search_fields = ("name",)


@admin.register(Assistance)
class AssistanceAdmin(SpreadsheetAdminMixin, admin.ModelAdmin):
    """Assistance lines are edited on their story; this list is for
    spreadsheets and for finding lines across stories."""

    resource_classes = (AssistanceResource,)
    list_display = ("story", "order", "measure", "as_written", "period", "recipient")
    list_filter = ("measure", "period", "provider_type", "year")
    list_select_related = ("story", "recipient")
    search_fields = ("story__title", "description", "provider", "recipient__real_name")
    autocomplete_fields = ("story", "recipient")

    @admin.display(description=_("金额"))
    def as_written(self, line):
        return line.display

    # A line belongs to its story: whoever may not edit the story (an author,
    # any story but her own draft) may not edit or delete its lines here
    # either, nor add one to it.

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.follows_story(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.follows_story(
            request, obj
        )

    @staticmethod
    def follows_story(request, line) -> bool:
        return line is None or can_edit(request.user, line.story)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "story":
            kwargs["queryset"] = editable(Story.objects.all(), request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
