from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from reversion.admin import VersionAdmin

from editorial import services
from editorial.diff import compare_fields, compare_versions
from editorial.models import AuditEntry, ReviewNote
from editorial.preview import make_token
from privacy.rules import redact_text, site_name_replacements
from programs.abstract import Publishable, pinyin_slug


class EditConflict(ValidationError):
    pass


def comparable(value):
    """Form and model values made alike: a related object by its key, text with
    the line breaks the database keeps (browsers send CRLF from a textarea)."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, str):
        return value.replace("\r\n", "\n")
    return value


class EditorialAdmin(VersionAdmin):
    """The admin for publishable content: every save versioned, status changed
    only through transitions, stale forms refused, every act audited."""

    change_form_template = "admin/editorial/change_form.html"
    object_history_template = "admin/editorial/object_history.html"
    publication_fieldset = (
        _("发布"),
        {
            "fields": ("status", "published_at", "expires_at", "is_featured"),
            "description": _(
                "状态只能用页面上方的按钮改变；上线和下线时间到了自动生效。"
            ),
        },
    )

    @admin.display(description=_("状态"), ordering="status")
    def status_badge(self, obj):
        return obj.public_state

    def get_view_on_site_url(self, obj=None):
        # A draft's public address is a 404; 预览 covers unpublished items.
        # On the host the editor is using, not the sites framework's domain.
        return obj.get_absolute_url() if obj and obj.is_public else None

    # Permissions --------------------------------------------------------------

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or services.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        # Published content is deleted only by a reviewer.
        return (
            obj is None
            or obj.status != Publishable.Status.PUBLISHED
            or (services.can_publish(request.user, obj))
        )

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "status")

    # The form: slug from pinyin, and the stale-form check ------------------------

    def get_fieldsets(self, request, obj=None):
        # The version the editor started from travels with the form, hidden.
        *first, (title, options) = super().get_fieldsets(request, obj)
        fields = [f for f in options["fields"] if f != "lock_version"]
        return [*first, (title, {**options, "fields": [*fields, "lock_version"]})]

    def get_form(self, request, obj=None, **kwargs):
        fields = kwargs.get("fields") or flatten_fieldsets(
            self.get_fieldsets(request, obj)
        )
        # lock_version is the form's own field, not the model form's.
        kwargs["fields"] = [f for f in fields if f != "lock_version"]
        form = super().get_form(request, obj, **kwargs)
        model = self.model

        class EditorialForm(form):
            lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                self.conflict = None
                self.fields["lock_version"].initial = self.instance.lock_version
                if "slug" in self.fields:
                    self.fields["slug"].required = False
                    self.fields["slug"].help_text = _(
                        "留空则按标题的拼音自动生成，如 hun-yuan-xian-dian-shang；"
                        "标题里的人名写作“某人”（mou-ren）。"
                        "自己填写时不要用人名，拼音和首字母也不行。"
                    )

            def clean(self):
                cleaned = super().clean()
                for name, value in cleaned.items():
                    if isinstance(value, str) and "\r\n" in value:
                        cleaned[name] = value.replace("\r\n", "\n")
                if (
                    "slug" in self.fields
                    and not cleaned.get("slug")
                    and cleaned.get("title")
                ):
                    cleaned["slug"] = self.instance.slug = pinyin_slug(
                        cleaned["title"], model
                    )
                if self.instance.pk:
                    self.check_not_stale(cleaned)
                return cleaned

            def check_not_stale(self, cleaned):
                # The admin runs inside a transaction: locking the row makes a
                # second save wait for the first and then see its new version.
                current = (
                    model.objects.select_for_update()
                    .filter(pk=self.instance.pk)
                    .first()
                )
                if current is None:
                    raise ValidationError(_("这条内容已被别人删除，无法保存。"))
                if current.lock_version == cleaned.get("lock_version"):
                    return
                versions = list(services.versions_of(current)[:50])
                latest = versions[0] if versions else None
                names = self.compared_fields()
                self.conflict = {
                    "by": latest.revision.user if latest else None,
                    "what": latest.revision.get_comment() if latest else "",
                    "at": latest.revision.date_created
                    if latest
                    else current.updated_at,
                    "changes": compare_fields(
                        model,
                        {name: comparable(getattr(current, name)) for name in names},
                        {name: comparable(cleaned.get(name)) for name in names},
                    ),
                    "lines": self.lines_changed_since(
                        versions, cleaned.get("lock_version")
                    ),
                }
                raise EditConflict(
                    _(
                        "保存被拒绝：你打开这个页面之后，别人已经保存了新的内容。"
                        "为免覆盖对方的修改，请对照上方红框中的差异，在新窗口打开最新版本后重新修改。"
                        "你填写的内容仍保留在本页，可以复制。"
                    )
                )

            @staticmethod
            def lines_changed_since(versions, lock_version) -> list:
                """The inline lines (assistance, people…) others changed since
                the version this form was opened from, newest versions first."""
                started = next(
                    (
                        v
                        for v in versions
                        if v.field_dict.get("lock_version") == lock_version
                    ),
                    None,
                )
                if started is None or started == versions[0]:
                    return []
                return compare_versions(started, versions[0])[1]

            def compared_fields(self) -> list[str]:
                return [
                    name
                    for name, formfield in self.fields.items()
                    if name != "lock_version"
                    and hasattr(model, name)
                    and not isinstance(formfield, forms.ModelMultipleChoiceField)
                ]

        return EditorialForm

    # Saving and deleting -------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        if self.is_recovering(request):
            # Out of the trash as a draft: it is reviewed again before readers see it.
            obj.status = Publishable.Status.DRAFT
        super().save_model(request, obj, form, change)

    def is_recovering(self, request) -> bool:
        match = request.resolver_match
        return bool(match and match.url_name and match.url_name.endswith("_recover"))

    def log_addition(self, request, obj, message):
        services.record(request.user, AuditEntry.Action.CREATE, obj)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        action = (
            AuditEntry.Action.RECOVER
            if self.is_recovering(request)
            else AuditEntry.Action.EDIT
        )
        entry = super().log_change(request, obj, message)
        services.record(request.user, action, obj, entry.get_change_message())
        return entry

    def delete_model(self, request, obj):
        services.snapshot_before_delete(obj, request.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            if not self.has_delete_permission(request, obj):
                raise PermissionDenied
            services.snapshot_before_delete(obj, request.user)
        super().delete_queryset(request, queryset)

    def recoverlist_view(self, request, extra_context=None):
        if not services.can_publish(request.user, self.model()):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not services.can_publish(request.user, self.model()):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # Reversion's own "revert" would write the old status and lock back;
        # restoring goes through restore_view, as a new draft.
        return redirect(self.admin_url("restore", object_id, version_id))

    # Workflow views ----------------------------------------------------------------

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/transition/<str:transition>/",
                wrap(self.transition_view),
                name=f"{name}_transition",
            ),
            path(
                "<path:object_id>/compare/",
                wrap(self.compare_view),
                name=f"{name}_compare",
            ),
            path(
                "<path:object_id>/restore/<int:version_id>/",
                wrap(self.restore_view),
                name=f"{name}_restore",
            ),
            path(
                "<path:object_id>/share-preview/",
                wrap(self.share_preview_view),
                name=f"{name}_share_preview",
            ),
            *super().get_urls(),
        ]

    def admin_url(self, view: str, *args) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)

    def get_item(self, request, object_id):
        obj = get_object_or_404(self.model, pk=unquote(object_id))
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def render(self, request, template: str, obj, **context):
        opts = self.model._meta
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": opts,
                "original": obj,
                "has_view_permission": True,
                **context,
            },
        )

    def transition_view(self, request, object_id, transition):
        obj = self.get_item(request, object_id)
        step = services.TRANSITIONS.get(transition)
        if step is None or not step.allowed(request.user, obj):
            raise PermissionDenied
        error = None
        if request.method == "POST":
            try:
                services.apply_transition(
                    obj=obj,
                    name=transition,
                    user=request.user,
                    comment=request.POST.get("comment", ""),
                )
            except ValidationError as exc:
                error = exc.messages
            else:
                messages.success(
                    request,
                    _("已%(action)s：%(item)s") % {"action": step.label, "item": obj},
                )
                return redirect(self.admin_url("change", obj.pk))
        return self.render(
            request,
            "admin/editorial/confirm_transition.html",
            obj,
            title=_("确认%(action)s") % {"action": step.label},
            step=step,
            error=error,
        )

    def masked(self, request, obj, own, lines):
        """Differences as this user may read them: protected real names are
        shown only to staff with the privacy permission."""
        if request.user.has_perm("privacy.view_real_names"):
            return own, lines
        # A story knows its own people; a program's text is masked like any
        # text that belongs to no one story.
        mask = getattr(obj, "redact", None) or (
            lambda text: redact_text(text, site_name_replacements())
        )
        for change in [*own, *(c for line in lines for c in line.changes)]:
            change.old, change.new = mask(change.old), mask(change.new)
        for line in lines:
            line.title = mask(line.title)
        return own, lines

    def compare_view(self, request, object_id):
        obj = self.get_item(request, object_id)
        versions = list(services.versions_of(obj))
        by_id = {v.pk: v for v in versions}
        try:
            newer = by_id[int(request.GET["b"])]
            older = by_id[int(request.GET["a"])]
        except (KeyError, ValueError):
            messages.error(request, _("请选择要比较的两个版本。"))
            return redirect(self.admin_url("history", obj.pk))
        if older.revision.date_created > newer.revision.date_created:
            older, newer = newer, older
        own, lines = self.masked(request, obj, *compare_versions(older, newer))
        return self.render(
            request,
            "admin/editorial/compare.html",
            obj,
            title=_("比较版本"),
            older=older,
            newer=newer,
            own=own,
            lines=lines,
        )

    def restore_view(self, request, object_id, version_id):
        obj = self.get_item(request, object_id)
        version = get_object_or_404(services.versions_of(obj), pk=version_id)
        if not services.can_edit(request.user, obj):
            raise PermissionDenied
        if request.method == "POST":
            restored = services.restore_version(
                obj=obj, version=version, user=request.user
            )
            messages.success(request, _("已恢复为草稿：%(item)s") % {"item": restored})
            return redirect(self.admin_url("change", obj.pk))
        latest = services.versions_of(obj).first()
        own, lines = (
            self.masked(request, obj, *compare_versions(version, latest))
            if latest
            else ([], [])
        )
        return self.render(
            request,
            "admin/editorial/confirm_restore.html",
            obj,
            title=_("恢复旧版本"),
            version=version,
            own=own,
            lines=lines,
        )

    def share_preview_view(self, request, object_id):
        obj = self.get_item(request, object_id)
        # A public link to an item is for those who may change it: an author
        # may not hand out someone else's draft.
        if not services.can_edit(request.user, obj):
            raise PermissionDenied
        link = None
        if request.method == "POST":
            link = request.build_absolute_uri(
                reverse("editorial:shared_preview", args=[make_token(obj)])
            )
            services.record(request.user, AuditEntry.Action.SHARE_PREVIEW, obj)
        return self.render(
            request,
            "admin/editorial/share_preview.html",
            obj,
            title=_("分享预览链接"),
            link=link,
            expires=timezone.now() + timedelta(seconds=settings.PREVIEW_LINK_MAX_AGE),
        )

    # Context for the change form ---------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if obj is not None:
            extra.update(
                transitions=services.available_transitions(request.user, obj),
                # A send-back comment matters while the draft is being fixed.
                review_notes=ReviewNote.objects.filter(
                    content_type__app_label=obj._meta.app_label,
                    content_type__model=obj._meta.model_name,
                    object_id=obj.pk,
                )[:1]
                if obj.status in (Publishable.Status.DRAFT, Publishable.Status.REVIEW)
                else [],
                preview_url=reverse(
                    "editorial:preview",
                    args=[obj._meta.app_label, obj._meta.model_name, obj.pk],
                ),
                share_preview_url=self.admin_url("share_preview", obj.pk)
                if services.can_edit(request.user, obj)
                else None,
            )
        return super().change_view(request, object_id, form_url, extra)

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_item(request, object_id)
        extra = {
            "versions": services.versions_of(obj),
            "can_restore": services.can_edit(request.user, obj),
            "audit": AuditEntry.objects.filter(
                content_type__app_label=obj._meta.app_label,
                content_type__model=obj._meta.model_name,
                object_id=str(obj.pk),
            )[:50],
            "compare_url": self.admin_url("compare", obj.pk),
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, extra)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that only the code writes (the audit trail, import batches):
    staff may read them, never add, change or delete them by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "timestamp",
        "username",
        "action",
        "content_type",
        "object_repr",
        "message",
    )
    list_filter = (
        "action",
        ("username", admin.AllValuesFieldListFilter),
        # Only the kinds of content that appear in the trail, not every model.
        ("content_type", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("username", "object_repr", "message")
    date_hierarchy = "timestamp"
    list_select_related = ("content_type",)
