from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Count, Q, QuerySet
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from editorial.admin import EditorialAdmin
from editorial.consents import return_lapsed
from editorial.people import (
    NamesAsShownMixin,
    PeopleAdmin,
    ReviewedChangesMixin,
    hidden,
    household_label,
    person_label,
    with_names_hidden,
)
from editorial.services import (
    can_edit,
    editable,
    households_hidden_from,
    people_hidden_from,
    sees_every_real_name,
)
from privacy import services as privacy
from privacy.admin import ConsentAdmin, ConsentInline
from privacy.forms import PhotoForm
from privacy.models import Consent
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


class StoryPersonInline(NamesAsShownMixin, admin.TabularInline):
    model = StoryPerson
    extra = 1
    autocomplete_fields = ("person",)
    fields = ("person", "role", "order")


class AssistanceInline(NamesAsShownMixin, admin.TabularInline):
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


class OutcomeInline(NamesAsShownMixin, admin.TabularInline):
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


class StoryPhotoInline(NamesAsShownMixin, admin.StackedInline):
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
        story = self.get_object(request, unquote(object_id))
        if (
            story is not None
            and request.method == "GET"
            and not sees_every_real_name(request.user)
            and story.created_by_id != request.user.pk
        ):
            # Someone else's story, to an author: as readers will see it, with
            # the names of people outside her own stories protected.
            return redirect(
                reverse("editorial:preview", args=["stories", "story", story.pk])
            )
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
class PersonAdmin(SpreadsheetAdminMixin, PeopleAdmin):
    resource_classes = (PersonResource,)
    list_display = (
        "name",
        "shown_as",
        "household_name",
        "household_role",
        "birth_year",
        "age",
        "age_as_of",
    )
    list_filter = ("household_role", "gender", "display_policy")
    list_select_related = ("household",)
    search_fields = ("real_name", "household__name", "description")
    autocomplete_fields = ("household",)
    autocomplete_label = staticmethod(person_label)
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
        hidden_households = households_hidden_from(request.user)
        return (
            super()
            .get_queryset(request)
            .annotate(household_name_hidden=hidden("household", hidden_households))
            .prefetch_related("consents")
        )

    def people_of(self, obj) -> QuerySet:
        return Person.objects.filter(pk=obj.pk)

    def affected(self, form):
        person = form.instance
        return [person.pk], [person.household_id, form.initial.get("household")]

    @staticmethod
    def may_be_shown_as(bit: str) -> Q:
        # 潘某 (surname), a pseudonym, or initials (worked out in Python).
        if bit.startswith("某"):
            return Q()
        return (
            Q(real_name__startswith=bit[0])
            | Q(pseudonym__icontains=bit)
            | Q(display_policy=Person.DisplayPolicy.INITIALS)
        )

    @admin.display(description=_("姓名"), ordering="real_name")
    def name(self, person):
        return self.linked(person, person_label(person))

    @admin.display(description=_("家庭"), ordering="household__name")
    def household_name(self, person):
        household = person.household
        if household is None:
            return self.get_empty_value_display()
        if person.household_name_hidden:
            return household.protected_name
        return household.name

    @admin.display(description=_("读者今天看到"))
    def shown_as(self, person):
        # What readers see may be the real name itself.
        if not person.pk or getattr(person, "name_hidden", True):
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
    readonly_fields = ("shown_name",)
    show_change_link = True

    def get_queryset(self, request):
        return with_names_hidden(super().get_queryset(request), request.user)

    def get_fields(self, request, obj=None):
        # A household with a member hidden from the user is not hers to
        # change: its members are listed as she may see them.
        fields = super().get_fields(request, obj)
        hidden_people = people_hidden_from(request.user)
        if obj is not None and hidden_people.filter(household=obj).exists():
            return ["shown_name" if f == "real_name" else f for f in fields]
        return fields

    @admin.display(description=_("姓名"))
    def shown_name(self, person):
        return person_label(person)


@admin.register(Household)
class HouseholdAdmin(PeopleAdmin):
    list_display = ("household_name", "region", "size")
    list_select_related = ("region",)
    search_fields = ("name", "region__name", "members__real_name")
    autocomplete_fields = ("region",)
    autocomplete_label = staticmethod(household_label)
    inlines = (MemberInline,)

    def people_of(self, obj) -> QuerySet:
        return obj.members.all()

    def affected(self, form):
        household = form.instance
        return list(household.members.values_list("pk", flat=True)), [household.pk]

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if sees_every_real_name(request.user):
            return fields
        # A household of hers found by a hidden member's name would tell
        # her where he lives.
        return tuple(f for f in fields if f != "members__real_name")

    @staticmethod
    def may_be_shown_as(bit: str) -> Q:
        return Q() if bit[0] in "某户" else Q(name__startswith=bit[0])

    @admin.display(description=_("户名"), ordering="name")
    def household_name(self, household):
        return self.linked(household, household_label(household))


@admin.register(Cause)
class CauseAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "order")
    list_editable = ("order",)
    search_fields = ("name",)


@admin.register(Assistance)
class AssistanceAdmin(NamesAsShownMixin, SpreadsheetAdminMixin, admin.ModelAdmin):
    """Assistance lines are edited on their story; this list is for
    spreadsheets and for finding lines across stories."""

    resource_classes = (AssistanceResource,)
    list_display = (
        "story",
        "order",
        "measure",
        "as_written",
        "period",
        "recipient_name",
    )
    list_filter = ("measure", "period", "provider_type", "year")
    list_select_related = ("story", "recipient")
    search_fields = ("story__title", "description", "provider", "recipient__real_name")
    autocomplete_fields = ("story", "recipient")

    def get_queryset(self, request):
        hidden_people = people_hidden_from(request.user)
        return (
            super()
            .get_queryset(request)
            .annotate(recipient_hidden=hidden("recipient", hidden_people))
        )

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if sees_every_real_name(request.user):
            return fields
        # A line found by its recipient's name would say who received what.
        return tuple(f for f in fields if f != "recipient__real_name")

    # A line whose recipient is hidden from the user is not hers to change:
    # its page names the recipient as she may see them.

    def get_exclude(self, request, obj=None):
        if getattr(obj, "recipient_hidden", False):
            return (*(super().get_exclude(request, obj) or ()), "recipient")
        return super().get_exclude(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if getattr(obj, "recipient_hidden", False):
            return (*fields, "recipient_name")
        return fields

    @admin.display(description=_("金额"))
    def as_written(self, line):
        return line.display

    @admin.display(description=_("受助人"), ordering="recipient__real_name")
    def recipient_name(self, line):
        if line.recipient is None:
            return self.get_empty_value_display()
        if line.recipient_hidden:
            return line.recipient.protected_name
        return line.recipient.real_name

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


# Consents are privacy's; whether a change to one shows readers more than was
# reviewed is the newsroom's question, asked here as for people.
admin.site.unregister(Consent)


@admin.register(Consent)
class ReviewedConsentAdmin(ReviewedChangesMixin, ConsentAdmin):
    def affected(self, form):
        consent = form.instance
        return [consent.person_id], [consent.person.household_id]
