"""Import batches in the admin: the list, each batch's page (progress while it
runs, then what every row did), and undo with a preview of what it will do.

Importers see the batches of the models they may import; the page is read
only, and undo is the only write it offers.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from editorial.admin import ReadOnlyAdmin
from imports.models import ImportBatch, ImportRow
from imports.services import (
    forget_upload,
    inline_max_bytes,
    may_import,
    plan_undo,
    queue,
    run_batch,
    undo_batch,
)
from imports.snapshots import field_by_key
from programs.spreadsheets import SpreadsheetError

ROWS_PER_PAGE = 100


def masker(user):
    """Protected real names hidden from staff without the privacy permission,
    as in revision diffs and exports."""
    if user.has_perm("privacy.view_real_names"):
        return lambda text: text
    from privacy.rules import redact_text, site_name_replacements

    names = site_name_replacements()
    return lambda text: redact_text(str(text), names) if text else text


def row_changes(batch, row, mask) -> list[tuple[str, str, str]]:
    """(column, before, after) for each field a row changed; for a new row
    every field it filled in."""
    fields = field_by_key(batch.model)
    after = row.after or {}
    names = row.before.keys() if row.before is not None else after.keys()
    changes = []
    for name in names:
        f = fields.get(name)
        if f is None:
            continue
        old = "" if row.before is None else display(row.before.get(name))
        new = display(after.get(name))
        if row.before is None and new == "":
            continue
        changes.append((str(f.verbose_name), mask(old), mask(new)))
    return changes


def display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "created_at",
        "model_label",
        "file_name",
        "username",
        "status_label",
        "new_count",
        "updated_count",
        "unchanged_count",
        "skipped_count",
        "invalid_count",
    )
    list_display_links = ("number", "file_name")
    list_filter = (
        "status",
        ("content_type", admin.RelatedOnlyFieldListFilter),
        "policy",
    )
    search_fields = ("file_name", "username", "sha256")
    date_hierarchy = "created_at"
    list_select_related = ("content_type",)

    def get_queryset(self, request):
        return super().get_queryset(request).importable_by(request.user)

    # Permissions: importers look; nobody edits or deletes a record --------

    def has_module_permission(self, request):
        return self.may_see_batches(request)

    def has_view_permission(self, request, obj=None):
        if obj is not None:
            return may_import(request.user, obj.model)
        return self.may_see_batches(request)

    @staticmethod
    def may_see_batches(request) -> bool:
        user = request.user
        return user.is_active and (
            user.is_superuser
            or any(
                p.split(".")[1].startswith("import_")
                for p in user.get_all_permissions()
            )
        )

    # Columns --------------------------------------------------------------

    @admin.display(description=_("批次"), ordering="pk")
    def number(self, batch):
        return f"#{batch.pk}"

    @admin.display(description=_("内容"), ordering="content_type")
    def model_label(self, batch):
        return batch.model_name

    @admin.display(description=_("状态"), ordering="status")
    def status_label(self, batch):
        if batch.is_active:
            return format_html(
                "{}（{}%）", batch.get_status_display(), batch.percent_done
            )
        return batch.get_status_display()

    # Pages ----------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<int:object_id>/undo/",
                self.admin_site.admin_view(self.undo_view),
                name="imports_importbatch_undo",
            ),
            path(
                "<int:object_id>/confirm/",
                self.admin_site.admin_view(self.confirm_view),
                name="imports_importbatch_confirm",
            ),
            path(
                "<int:object_id>/discard/",
                self.admin_site.admin_view(self.discard_view),
                name="imports_importbatch_discard",
            ),
        ] + super().get_urls()

    def may_confirm(self, request, batch) -> bool:
        """Only the importer who uploaded a previewed file confirms it."""
        return (
            batch.status == ImportBatch.Status.PREVIEWED
            and batch.upload_id is not None
            and batch.user_id == request.user.pk
            and may_import(request.user, batch.model)
        )

    def confirm_view(self, request, object_id):
        """Import a checked file: a small one at once, a large one by the
        worker, while this batch's page shows the progress."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        batch = self.get_batch(request, object_id)
        detail = reverse("admin:imports_importbatch_change", args=[batch.pk])
        if not self.may_confirm(request, batch):
            messages.error(
                request,
                _(
                    "这个文件不能再确认导入：它可能已经导入过、已过期，或者不是你上传的。"
                ),
            )
            return HttpResponseRedirect(detail)
        if batch.file_size > inline_max_bytes():
            queue(batch, ImportBatch.Task.IMPORT)
            messages.info(request, _("已排队导入，这个页面会显示进度。"))
            return HttpResponseRedirect(detail)
        try:
            run_batch(batch)
        except SpreadsheetError as exc:
            messages.error(request, str(exc))
        return HttpResponseRedirect(detail)

    def discard_view(self, request, object_id):
        """Drop a previewed file instead of importing it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        batch = self.get_batch(request, object_id)
        if not self.may_confirm(request, batch) and not (
            batch.status == ImportBatch.Status.FAILED
            and batch.user_id == request.user.pk
        ):
            raise PermissionDenied
        model_url = self.model_changelist(batch)
        forget_upload(batch)
        batch.delete()
        messages.info(request, _("已放弃这个文件，什么都没有导入。"))
        return HttpResponseRedirect(model_url)

    @staticmethod
    def model_changelist(batch) -> str:
        opts = batch.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")

    def get_batch(self, request, object_id) -> ImportBatch:
        batch = self.get_queryset(request).filter(pk=object_id).first()
        if batch is None:
            raise Http404(_("没有这个导入批次。"))
        if not self.has_view_permission(request, batch):
            raise PermissionDenied
        return batch

    def render(self, request, template: str, batch, **context):
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "batch": batch,
                "title": str(batch),
                **context,
            },
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A batch: its file and policy, its progress while it runs (the page
        refreshes itself), then its counts, messages and every recorded row."""
        batch = self.get_batch(request, object_id)
        mask = masker(request.user)
        rows = batch.rows.all()
        action = request.GET.get("action", "")
        if action in ImportRow.Action.values:
            rows = rows.filter(action=action)
        try:
            page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
        except Exception:
            page = Paginator(rows, ROWS_PER_PAGE).get_page(1)
        lines = [
            {
                "row": row,
                "repr": mask(row.object_repr),
                "url": self.item_url(batch, row),
                "changes": row_changes(batch, row, mask),
                "messages": [mask(m) for m in row.messages or []],
            }
            for row in page
        ]
        return self.render(
            request,
            "admin/imports/importbatch/detail.html",
            batch,
            page=page,
            lines=lines,
            action=action,
            actions=ImportRow.Action.choices,
            errors=[mask(m) for m in batch.errors],
            warnings=[mask(m) for m in batch.warnings],
            may_undo=batch.can_be_undone and may_import(request.user, batch.model),
            may_confirm=self.may_confirm(request, batch),
        )

    @staticmethod
    def item_url(batch, row) -> str:
        if row.object_id is None or row.action not in (
            ImportRow.Action.NEW,
            ImportRow.Action.UPDATE,
        ):
            return ""
        opts = batch.model._meta
        try:
            return reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change",
                args=[row.object_id],
            )
        except Exception:
            return ""

    def undo_view(self, request, object_id):
        """GET: what undo will delete, restore and leave alone, and why. POST:
        do it, in one transaction, and say what was done."""
        batch = self.get_batch(request, object_id)
        if not may_import(request.user, batch.model):
            raise PermissionDenied
        detail = reverse("admin:imports_importbatch_change", args=[batch.pk])
        if not batch.can_be_undone:
            messages.error(request, _("这一批已经撤销过，或者没有可撤销的内容。"))
            return HttpResponseRedirect(detail)
        mask = masker(request.user)
        if request.method == "POST":
            plan = undo_batch(batch, user=request.user)
            messages.success(
                request,
                _("已撤销：删除 %(deleted)d 条，恢复 %(restored)d 条。")
                % {
                    "deleted": plan.totals["delete"],
                    "restored": plan.totals["restore"],
                },
            )
            if plan.refused:
                messages.warning(
                    request,
                    _(
                        "有 %(n)d 行没有撤销，因为导入之后有人改过"
                        "或有内容依赖它：%(list)s"
                    )
                    % {
                        "n": plan.totals["refused"],
                        "list": "；".join(mask(r.undo_note) for r in plan.refused[:20]),
                    },
                )
            return HttpResponseRedirect(detail)
        plan = plan_undo(batch)

        def shown(rows):
            return [
                {
                    "row": r,
                    "repr": mask(r.object_repr),
                    "note": mask(r.undo_note),
                    "changes": row_changes(batch, r, mask),
                }
                for r in rows
            ]

        return self.render(
            request,
            "admin/imports/importbatch/undo.html",
            batch,
            plan=plan,
            deletes=shown(plan.delete),
            restores=shown(plan.restore),
            refused=shown(plan.refused),
            gone=shown(plan.gone),
        )
