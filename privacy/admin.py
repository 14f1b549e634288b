from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from reversion.admin import VersionAdmin

from privacy.forms import ConsentForm
from privacy.images import document_content_type
from privacy.models import Consent, ImpactAssessment


class EachDeletionLogged:
    """Django writes the log entries of a bulk delete in one bulk_create,
    which sends no post_save: one save each lets whoever listens to the
    admin's log (the audit trail) hear of every deletion."""

    def log_deletions(self, request, queryset):
        entries = []
        for obj in queryset:
            entries += super().log_deletions(request, [obj])
        return entries


class ConsentInline(admin.StackedInline):
    model = Consent
    form = ConsentForm
    extra = 0
    fields = (
        ("given_by", "guardian_name", "guardian_relationship"),
        ("given_on", "method", "withdrawn_on"),
        ("covers_real_name", "covers_photo", "covers_health", "covers_financial"),
        "document",
        "notes",
    )


@admin.register(Consent)
class ConsentAdmin(EachDeletionLogged, VersionAdmin):
    form = ConsentForm
    list_display = (
        "person",
        "given_by",
        "given_on",
        "method",
        "covers_real_name",
        "covers_photo",
        "covers_health",
        "covers_financial",
        "withdrawn_on",
        "scan",
    )
    list_filter = ("given_by", "method", "covers_real_name", "covers_photo")
    list_select_related = ("person",)
    search_fields = ("person__real_name", "guardian_name")
    autocomplete_fields = ("person",)
    readonly_fields = ("scan",)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("扫描件"))
    def scan(self, consent):
        if not consent.document:
            return "—"
        url = reverse("admin:privacy_consent_document", args=[consent.pk])
        return format_html('<a href="{}">{}</a>', url, _("下载"))

    def get_urls(self):
        return [
            path(
                "<int:pk>/document/",
                self.admin_site.admin_view(self.document_view),
                name="privacy_consent_document",
            ),
            path(
                "file/<path:name>",
                self.admin_site.admin_view(self.file_view),
                name="privacy_consent_file",
            ),
            *super().get_urls(),
        ]

    def file_view(self, request, name):
        """The scan's own URL (what the file widget links to), by file name."""
        consent = Consent.objects.filter(document=name).exclude(document="").first()
        if consent is None:
            raise Http404
        return self.document_view(request, consent.pk)

    def document_view(self, request, pk):
        consent = get_object_or_404(Consent, pk=pk)
        if not self.has_view_permission(request, consent):
            raise PermissionDenied
        if not consent.document:
            raise Http404
        response = FileResponse(
            consent.document.open("rb"),
            as_attachment=True,
            content_type=document_content_type(consent.document.name),
        )
        response["Cache-Control"] = "private, no-store"
        return response


@admin.register(ImpactAssessment)
class ImpactAssessmentAdmin(admin.ModelAdmin):
    list_display = ("story_title", "approved_by_name", "approved_at", "keep_until")
    search_fields = ("story_title", "published", "consents")
    date_hierarchy = "approved_at"
    readonly_fields = [f.name for f in ImpactAssessment._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Kept at least three years, whatever happens to the story.
        return bool(
            obj
            and obj.keep_until < timezone.localdate()
            and super().has_delete_permission(request, obj)
        )
