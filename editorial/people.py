"""People and households in the admin, as each member of the newsroom may
see and change them (README, "Privacy": staff, by role).

Authors see real names only of people their own stories concern, and of
people in no story yet; querysets mark the rows hidden from the user in a
`name_hidden` column, which the labels read. Changing a person or household
changes the stories they appear in (editorial.services.can_change_people).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Value
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from reversion.admin import VersionAdmin

from editorial.consents import approving, shows_more
from editorial.services import (
    can_change_people,
    households_hidden_from,
    people_hidden_from,
    sees_every_real_name,
)
from privacy.admin import EachDeletionLogged
from stories.models import Household, Person


def hidden(path: str, among: QuerySet):
    """Whether the row's `path` (a person or household) is among `among`."""
    if among.query.is_empty():
        return Value(False)
    return ExpressionWrapper(
        Q(**{f"{path}__in": among.values("pk")}), output_field=BooleanField()
    )


def person_label(person: Person) -> str:
    return person.protected_name if person.name_hidden else person.real_name


def household_label(household: Household) -> str:
    return household.protected_name if household.name_hidden else household.name


def with_names_hidden(queryset: QuerySet, user) -> QuerySet:
    hidden_from = {Person: people_hidden_from, Household: households_hidden_from}
    return queryset.annotate(
        name_hidden=hidden("pk", hidden_from[queryset.model](user))
    )


LABELS = {Person: person_label, Household: household_label}


class NamesAsShownMixin:
    """People and households chosen in a form (selects, autocompletes and the
    choices they keep after a refused save) named as this user may see them."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self.hide_names(db_field, request, kwargs)
        return self.labelled(
            db_field, super().formfield_for_foreignkey(db_field, request, **kwargs)
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self.hide_names(db_field, request, kwargs)
        return self.labelled(
            db_field, super().formfield_for_manytomany(db_field, request, **kwargs)
        )

    def hide_names(self, db_field, request, kwargs) -> None:
        model = db_field.related_model
        if model in LABELS and "queryset" not in kwargs:
            db = kwargs.get("using")
            queryset = self.get_field_queryset(db, db_field, request)
            if queryset is None:
                queryset = model._default_manager.using(db)
            kwargs["queryset"] = with_names_hidden(queryset, request.user)

    @staticmethod
    def labelled(db_field, formfield):
        label = LABELS.get(db_field.related_model)
        if formfield is not None and label is not None:
            formfield.label_from_instance = label
        return formfield


class SearchedAsShownMixin:
    """A search finds a row hidden from the user only by what she sees of it
    (潘某 by 潘 or 潘某), never by its real name, household or description:
    a hit shown masked would still tell her who 潘蔼章 is."""

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip() or sees_every_real_name(request.user):
            return super().get_search_results(request, queryset, search_term)
        visible, duplicates = super().get_search_results(
            request, queryset.filter(name_hidden=False), search_term
        )
        bits = search_term.lower().split()
        candidates = queryset.filter(name_hidden=True)
        for bit in bits:
            candidates = candidates.filter(self.may_be_shown_as(bit))
        label = LABELS[self.model]
        found = [
            row.pk for row in candidates if all(b in label(row).lower() for b in bits)
        ]
        return queryset.filter(
            Q(pk__in=visible.values("pk")) | Q(pk__in=found)
        ), duplicates

    @staticmethod
    def may_be_shown_as(bit: str) -> Q:
        """A cheap filter of the rows whose label may contain `bit` (the label
        itself is checked in Python); each model admin says."""
        raise NotImplementedError


class ShowsMore(Exception):
    """A change that would show readers more than reviewers approved."""

    def __init__(self, changes: list[str]):
        super().__init__(changes)
        self.changes = changes


class ReviewedChangesMixin:
    """A change to people, households or consents that would show readers of a
    published story more than its reviewer approved (a name unmasked, a
    protected name changed, a consent covering more) is a reviewer's to make:
    anyone else's is refused, with what it would show, and nothing is saved.

    The change is made in the admin's transaction and compared there; when it
    shows more, the transaction is rolled back and the form shown again, with
    what was typed and the refusal. A reviewer's change becomes what was
    reviewed (editorial.consents.approving)."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with approving(request.user):
            try:
                return super().changeform_view(
                    request, object_id, form_url, extra_context
                )
            except ShowsMore as refused:
                request.shows_more = refused.changes
                return super().changeform_view(
                    request, object_id, form_url, extra_context
                )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        refused = getattr(request, "shows_more", None)
        if not refused:
            return form

        class RefusedForm(form):
            def clean(self):
                super().clean()
                raise ValidationError(
                    [
                        _(
                            "这项修改会让读者在已发布的故事里看到审核时没有同意公开的"
                            "内容，需要审核人员来改。没有保存任何修改："
                        ),
                        *refused,
                    ]
                )

        return RefusedForm

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if request.user.has_perm("stories.publish_story"):
            return
        people, households = self.affected(form)
        if more := shows_more(people, households):
            raise ShowsMore(more)

    def affected(self, form) -> tuple[list[int], list[int]]:
        """(people, households) whose stories a saved form may change."""
        raise NotImplementedError


class PeopleAdmin(
    ReviewedChangesMixin,
    NamesAsShownMixin,
    SearchedAsShownMixin,
    EachDeletionLogged,
    VersionAdmin,
):
    """People and households. Changing one changes the stories they appear
    in, so it is allowed to whoever may edit all of those stories; names are
    shown as the user may see them, and a row hidden from her has no page for
    her. Every save is a version (with consents, or members) and, through
    the admin's log, an audit entry (editorial.signals)."""

    # Rows link to their pages themselves: a hidden row has none to link to.
    list_display_links = None

    def get_queryset(self, request):
        return with_names_hidden(super().get_queryset(request), request.user)

    def people_of(self, obj) -> QuerySet:
        raise NotImplementedError

    def is_hidden(self, request, obj) -> bool:
        flag = getattr(obj, "name_hidden", None)
        if flag is None:
            rows = with_names_hidden(self.model.objects.filter(pk=obj.pk), request.user)
            flag = rows.filter(name_hidden=True).exists()
        return bool(flag)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (
            obj is None or not self.is_hidden(request, obj)
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or can_change_people(request.user, self.people_of(obj))
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or can_change_people(request.user, self.people_of(obj))
        )

    def linked(self, obj, text: str):
        if obj.name_hidden:
            return text
        opts = self.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, text)

    # Reverting brings back the consents kept with the version, and
    # recovering a deleted person their data: for those who record consents
    # and those who delete.

    def revision_view(self, request, object_id, version_id, extra_context=None):
        if not request.user.has_perm("privacy.change_consent"):
            raise PermissionDenied
        return super().revision_view(request, object_id, version_id, extra_context)

    def recoverlist_view(self, request, extra_context=None):
        if not self.has_delete_permission(request):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not self.has_delete_permission(request):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)
