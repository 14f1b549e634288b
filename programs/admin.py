import base64
import hashlib
import logging

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.results import RowResult

from editorial.admin import EditorialAdmin
from imports.models import ImportBatch, ImportUpload
from imports.services import (
    counts as import_counts,
)
from imports.services import (
    create_batch,
    format_name,
    inline_max_bytes,
    resource_path,
    run_batch,
    sweep_abandoned,
)
from privacy.forms import PhotoForm
from programs.abstract import format_number
from programs.models import Figure, Program, ProgramPhoto, Region
from programs.resources import FigureResource, ProgramResource, RegionResource
from programs.spreadsheets import FORMATS, SpreadsheetError, max_upload_bytes
from programs.workbooks import (
    XLSX_CONTENT_TYPE,
    ErrorWorkbookGone,
    build_error_workbook,
    build_template,
    error_filename,
    ignoring_notes,
    row_errors,
    store_error_workbook,
    take_error_workbook,
    template_filename,
)

logger = logging.getLogger(__name__)

IMPORT_MODES = [
    ("all", _("全部或全不：任何一行有错就什么都不导入（推荐）")),
    ("valid", _("只导入没有错误的行，有错的行跳过")),
]


class SpreadsheetImportForm(ImportForm):
    mode = forms.ChoiceField(label=_("有错误时"), choices=IMPORT_MODES, initial="all")
    # The refusal of a re-created row names this label: keep them in step.
    allow_recreate = forms.BooleanField(
        label=_("重新创建已删除的内容"),
        required=False,
        help_text=_("文件里有已删除的项目或故事时，勾选后才会重新创建它们。"),
    )

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        # The size the upload reported, before anything reads it into memory.
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("文件太大（%(size).1f MB），上限为 %(limit).1f MB。")
                % {"size": upload.size / 1048576, "limit": limit / 1048576}
            )
        return upload


class SpreadsheetConfirmForm(ConfirmImportForm):
    mode = forms.ChoiceField(
        choices=IMPORT_MODES, widget=forms.HiddenInput, required=False
    )
    # Signs what the preview stored, so that the confirmation imports that file
    # and nothing else (see SpreadsheetAdminMixin.confirm_problem).
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    allow_recreate = forms.BooleanField(widget=forms.HiddenInput, required=False)

    SIGNED = (
        "import_file_name",
        "original_file_name",
        "format",
        "resource",
        "mode",
        "allow_recreate",
    )

    @classmethod
    def signed_values(cls, data) -> list[str]:
        return [str(data.get(name) or "") for name in cls.SIGNED]


CONFIRM_SALT = "programs.admin.confirm-import"
ROW_TYPES = {
    RowResult.IMPORT_TYPE_NEW: _("新增"),
    RowResult.IMPORT_TYPE_UPDATE: _("修改"),
    RowResult.IMPORT_TYPE_SKIP: _("未变"),
    RowResult.IMPORT_TYPE_INVALID: _("有错误"),
    RowResult.IMPORT_TYPE_ERROR: _("有错误"),
}


def preview_rows(result) -> list[dict]:
    """Every row of a preview in sheet order: its type in Chinese, the
    django-import-export diff of a valid row, the messages of a bad one."""
    errors = row_errors(result)
    rows = []
    for row in result.rows:
        line = getattr(row, "line", None)
        messages = [m for ms in errors.get(line, {}).values() for m in ms]
        kind = row.import_type
        if messages and kind == RowResult.IMPORT_TYPE_SKIP:
            kind, label = "dropped", _("有错误，跳过")
        else:
            label = ROW_TYPES.get(kind, kind)
        if messages and kind not in ("dropped",):
            kind = RowResult.IMPORT_TYPE_INVALID
        rows.append(
            {
                "line": line,
                "type": kind,
                "label": label,
                "diff": row.diff if not messages else None,
                "messages": messages,
            }
        )
    return rows


class SpreadsheetAdminMixin(ImportExportMixin):
    """Import and export through spreadsheets: upload, a preview of new, changed,
    unchanged and invalid rows, then confirmation; all or nothing by default.

    Importing needs the model's import permission (the group 导入) as well as the
    right to change it; exporting needs the right to view it, and exports what
    the change list shows with its filters. Importers can download a template
    (programs.workbooks.build_template) and, after a failed preview, the sheet
    back with its errors marked and explained in a 错误说明 column."""

    # XLSX, XLS, ODS and CSV, read in whatever encoding (programs.spreadsheets).
    formats = FORMATS
    import_form_class = SpreadsheetImportForm
    confirm_form_class = SpreadsheetConfirmForm
    import_template_name = "admin/import_export/spreadsheet_import.html"
    import_error_display = ("message",)
    # Every import is a batch (imports.ImportBatch) that records what each row
    # did; one admin log entry per row would only repeat it.
    skip_admin_log = True

    def has_import_permission(self, request):
        opts = self.opts
        code = getattr(settings, "IMPORT_EXPORT_IMPORT_PERMISSION_CODE", "import")
        return request.user.has_perm(
            f"{opts.app_label}.{get_permission_codename(code, opts)}"
        ) and self.has_change_permission(request)

    def get_import_resource_classes(self, request):
        # A sheet that comes back with its 错误说明 column imports as it is.
        return [ignoring_notes(c) for c in super().get_import_resource_classes(request)]

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        bound = form is not None and form.is_bound
        mode = form.cleaned_data.get("mode") if bound else "all"
        return {
            "only_valid": mode == "valid",
            "user": request.user,
            "allow_recreate": bool(form.cleaned_data.get("allow_recreate"))
            if bound
            else False,
        }

    def get_export_filename(self, request, queryset, file_format):
        # 扶贫项目-2026-11-28.xlsx: what an office saves it as anyway.
        day = timezone.localdate().isoformat()
        name = self.model._meta.verbose_name_plural
        return f"{name}-{day}.{file_format.get_extension()}"

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        response = super()._do_file_export(file_format, request, queryset, export_form)
        # django-import-export quotes the name raw; a Chinese name needs RFC 6266.
        response["Content-Disposition"] = content_disposition_header(
            True, self.get_export_filename(request, queryset, file_format)
        )
        return response

    def get_export_resource_kwargs(self, request, **kwargs):
        # The resource decides which names this user may see in the file.
        return {"user": request.user}

    # URLs -----------------------------------------------------------------

    def admin_url(self, name: str, *args) -> str:
        return reverse(
            "admin:{}_{}_{}".format(*self.get_model_info(), name),
            args=args,
            current_app=self.admin_site.name,
        )

    def get_urls(self):
        info = self.get_model_info()
        return [
            path(
                "import-template/",
                self.admin_site.admin_view(self.import_template_view),
                name="{}_{}_import_template".format(*info),
            ),
            path(
                "import-errors/<str:token>/",
                self.admin_site.admin_view(self.import_errors_view),
                name="{}_{}_import_errors".format(*info),
            ),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        if self.has_import_permission(request):
            extra_context["import_template_url"] = self.admin_url("import_template")
        return super().changelist_view(request, extra_context)

    # Template and error workbook -------------------------------------------

    def import_template_view(self, request):
        """An XLSX to fill in: headers, notes, drop-downs and an example row."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        classes = super().get_import_resource_classes(request)
        try:
            resource_class = classes[int(request.GET.get("resource", 0))]
        except (ValueError, IndexError):
            resource_class = classes[0]
        return self.xlsx_response(
            build_template(resource_class), template_filename(resource_class)
        )

    def import_errors_view(self, request, token):
        """The uploaded sheet with its errors marked; handed out once."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        try:
            content, filename = take_error_workbook(
                token, user=request.user, model=self.model
            )
        except ErrorWorkbookGone:
            messages.error(
                request,
                _(
                    "带错误说明的表格已经下载过或已过期（保留一小时）。"
                    "请重新上传原来的表格，再下载。"
                ),
            )
            return HttpResponseRedirect(self.admin_url("import"))
        return self.xlsx_response(content, filename)

    @staticmethod
    def xlsx_response(content: bytes, filename: str) -> HttpResponse:
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, filename)
        response["Cache-Control"] = "no-store"
        return response

    def offer_error_workbook(self, request, form, result) -> tuple[str, str] | None:
        """Build the error workbook while the upload is still in private storage.

        A workbook up to IMPORT_ERROR_WORKBOOK_INLINE_BYTES goes into the page
        itself (a data: link), so nothing is kept on the server; a bigger one is
        kept in private storage for one download by this user, behind a signed
        token, and deleted once downloaded or an hour old. Returns the link
        and the file name."""
        upload = form.cleaned_data.get("import_file")
        name = getattr(upload, "tmp_storage_name", None)
        if not name:
            return None
        filename = error_filename(upload.name)
        try:
            input_format = self.get_import_formats()[int(form.cleaned_data["format"])]()
            data = self.get_tmp_storage_class()(
                name=name, read_mode="rb", **self.get_tmp_storage_class_kwargs()
            ).read()
            content = build_error_workbook(
                data,
                input_format,
                self.choose_import_resource_class(form, request),
                result,
            )
            limit = getattr(settings, "IMPORT_ERROR_WORKBOOK_INLINE_BYTES", 2 << 20)
            if len(content) <= limit:
                encoded = base64.b64encode(content).decode("ascii")
                return f"data:{XLSX_CONTENT_TYPE};base64,{encoded}", filename
            token = store_error_workbook(
                content, user=request.user, model=self.model, filename=filename
            )
        except Exception:
            # The preview still lists every error; only the download is missing.
            logger.exception("Could not build the error workbook")
            return None
        return self.admin_url("import_errors", token), filename

    # Preview and confirmation ---------------------------------------------

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["mode"] = import_form.cleaned_data.get("mode", "all")
            initial["allow_recreate"] = import_form.cleaned_data.get(
                "allow_recreate", False
            )
            form_class = self.get_confirm_form_class(request)
            initial["token"] = signing.dumps(
                [request.user.pk, *form_class.signed_values(initial)],
                salt=CONFIRM_SALT,
            )
        return initial

    def confirm_problem(self, request, form) -> str | None:
        """Why a confirmation must be refused: it names another file (or mode,
        or format) than the preview stored, or the stored file is gone."""
        data = form.cleaned_data
        try:
            signed = signing.loads(
                data.get("token") or "",
                salt=CONFIRM_SALT,
                max_age=getattr(settings, "IMPORT_CONFIRM_MAX_AGE", 86400),
            )
        except signing.SignatureExpired:
            return _("预览已过期，请重新上传文件。")
        except signing.BadSignature:
            signed = None
        expected = [request.user.pk, *form.signed_values(data)]
        if signed != expected:
            return _(
                "确认导入的内容与预览时上传的文件不一致（表单可能被改动过），"
                "为安全起见什么都没有导入。请重新上传文件并检查预览。"
            )
        storage = self.get_tmp_storage_class()(
            name=data["import_file_name"], **self.get_tmp_storage_class_kwargs()
        )
        try:
            storage.read()
        except (FileNotFoundError, OSError):
            return _(
                "找不到预览时上传的文件：它可能已经导入过，或者已过期。请重新上传文件。"
            )
        return None

    def process_import(self, request, **kwargs):
        """Import the batch the preview recorded, from the file it keeps in the
        database: whichever app server showed the preview."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_confirm_form(request)
        if not form.is_valid():
            return super().process_import(request, **kwargs)
        problem = self.confirm_problem(request, form)
        batch = self.previewed_batch(request, form) if not problem else None
        if batch is None:
            messages.error(
                request,
                problem
                or _(
                    "找不到预览时上传的文件：它可能已经导入过，或者已过期。"
                    "请重新上传文件。"
                ),
            )
            return HttpResponseRedirect(self.admin_url("import"))
        try:
            result = run_batch(batch)
        except SpreadsheetError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(self.admin_url("import"))
        return self.process_result(result, request, batch=batch)

    def previewed_batch(self, request, form):
        """The batch a signed confirmation names, if it still waits for it."""
        return (
            ImportBatch.objects.filter(
                upload_id=form.cleaned_data["import_file_name"],
                user=request.user,
                status=ImportBatch.Status.PREVIEWED,
                content_type=ContentType.objects.get_for_model(self.model),
            )
            .order_by("-pk")
            .first()
        )

    def queue_preview(self, request, form):
        """A file too big to read within a web request: the worker checks it
        (manage.py run_import_jobs) while the batch's page shows how far it
        got; the importer confirms the import there."""
        upload = form.cleaned_data["import_file"]
        input_format = self.get_import_formats()[int(form.cleaned_data["format"])]
        batch = create_batch(
            resource_class=self.choose_import_resource_class(form, request),
            user=request.user,
            file_name=upload.name,
            data=b"".join(upload.chunks()),
            file_format=input_format,
            policy=form.cleaned_data.get("mode") or ImportBatch.Policy.ALL,
            allow_recreate=bool(form.cleaned_data.get("allow_recreate")),
            status=ImportBatch.Status.QUEUED,
            task=ImportBatch.Task.PREVIEW,
        )
        messages.info(
            request,
            _("文件较大，已交给后台检查；检查完成后在这个页面确认导入。"),
        )
        return HttpResponseRedirect(
            reverse("admin:imports_importbatch_change", args=[batch.pk])
        )

    def record_preview(self, request, form, result) -> ImportBatch | None:
        """A batch for a preview that may be confirmed: the file stays in the
        database (ImportUpload) until then, for an hour at most."""
        upload = form.cleaned_data.get("import_file")
        name = getattr(upload, "tmp_storage_name", None)
        if not name:
            return None
        input_format = self.get_import_formats()[int(form.cleaned_data["format"])]
        stored = ImportUpload.objects.filter(pk=name).only("size").first()
        if stored is None:
            return None
        batch = ImportBatch(
            resource=resource_path(self.choose_import_resource_class(form, request)),
            content_type=ContentType.objects.get_for_model(self.model),
            user=request.user,
            username=request.user.get_username(),
            file_name=upload.name[:255],
            file_size=stored.size,
            sha256=getattr(upload, "sha256", ""),
            file_format=format_name(input_format),
            policy=form.cleaned_data.get("mode") or ImportBatch.Policy.ALL,
            allow_recreate=bool(form.cleaned_data.get("allow_recreate")),
            upload=stored,
            status=ImportBatch.Status.PREVIEWED,
            task=ImportBatch.Task.PREVIEW,
        )
        found = import_counts(result)
        batch.total_rows = batch.rows_done = result.total_rows
        batch.new_count, batch.updated_count = found["new"], found["update"]
        batch.unchanged_count, batch.invalid_count = found["skip"], found["invalid"]
        batch.warnings = list(getattr(result, "warnings", []))[:200]
        batch.save()
        return batch

    def write_to_tmp_storage(self, import_file, input_format):
        """The upload, read once (django-import-export grows a bytes object
        chunk by chunk), into the storage the confirmation reads it from: the
        database (imports.storage.DatabaseStorage), which every app server
        sees."""
        storage = self.get_tmp_storage_class()(
            read_mode="rb", **self.get_tmp_storage_class_kwargs()
        )
        data = b"".join(import_file.chunks())
        import_file.sha256 = hashlib.sha256(data).hexdigest()
        storage.save(data)
        return storage

    def add_data_read_fail_error_to_form(self, form, e):
        self.forget_upload(form)
        if isinstance(e, SpreadsheetError):
            message = str(e)
        else:
            message = _(
                "无法读取这个文件：它可能已损坏，或者不是所选的格式。"
                "请在 Excel 或 WPS 中另存为 XLSX 或 CSV 后再上传。"
            )
        form.add_error("import_file", message)

    def forget_upload(self, form) -> None:
        """Delete the stored upload when no confirmation step will read it."""
        upload = form.cleaned_data.get("import_file") if form.is_bound else None
        name = getattr(upload, "tmp_storage_name", None)
        if name:
            self.get_tmp_storage_class()(
                name=name, **self.get_tmp_storage_class_kwargs()
            ).remove()
            upload.tmp_storage_name = None

    def import_action(self, request, **kwargs):
        sweep_abandoned()
        if request.method == "POST" and self.has_import_permission(request):
            form = self.create_import_form(request)
            if form.is_valid() and form.cleaned_data["import_file"].size > (
                inline_max_bytes()
            ):
                return self.queue_preview(request, form)
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None)
        if context is None:
            return response
        context["import_template_url"] = self.admin_url("import_template")
        result = context.get("result")
        if result is not None:
            context["import_counts"] = import_counts(result)
            context["preview_rows"] = preview_rows(result)
        form = context.get("form")
        if form is not None and request.method == "POST":
            if result is not None and row_errors(result):
                offer = self.offer_error_workbook(request, form, result)
                if offer:
                    url, filename = offer
                    context["error_workbook_url"] = url
                    context["error_workbook_filename"] = filename
            if "confirm_form" not in context:
                self.forget_upload(form)
            elif result is not None:
                self.record_preview(request, form, result)
        return response

    def process_result(self, result, request, batch=None):
        if result.has_errors() or (
            result.has_validation_errors() and not (batch and batch.only_valid)
        ):
            messages.error(
                request, _("导入没有完成，什么都没有写入。请重新上传并检查预览。")
            )
            return HttpResponseRedirect(self.admin_url("import"))
        response = super().process_result(result, request)
        if batch is not None:
            messages.info(
                request,
                format_html(
                    _(
                        '这次导入记为<a href="{}">{}</a>，'
                        "可以在那里查看每一行的变化或撤销。"
                    ),
                    reverse("admin:imports_importbatch_change", args=[batch.pk]),
                    str(batch),
                ),
            )
        return response

    def add_success_message(self, result, request):
        counts = import_counts(result)
        messages.success(
            request,
            _("导入完成：新增 %(new)d 条，修改 %(update)d 条，未变 %(skip)d 条。")
            % counts,
        )
        dropped = getattr(result, "dropped", [])
        if dropped:
            messages.warning(
                request,
                _("有 %(n)d 处错误的行被跳过：%(list)s")
                % {"n": len(dropped), "list": "；".join(dropped[:20])},
            )


@admin.register(Region)
class RegionAdmin(SpreadsheetAdminMixin, admin.ModelAdmin):
    resource_classes = (RegionResource,)
    list_display = ("name", "level", "code", "parent", "program_count")
    list_filter = ("level",)
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)
    readonly_fields = ("slug",)
    fields = ("name", "level", "code", "parent", "slug")

    def view_on_site(self, obj: Region) -> str:
        # On the host the editor is using, not the sites framework's domain.
        return obj.get_absolute_url()

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
class ProgramAdmin(SpreadsheetAdminMixin, EditorialAdmin):
    resource_classes = (ProgramResource,)
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
class FigureAdmin(SpreadsheetAdminMixin, admin.ModelAdmin):
    resource_classes = (FigureResource,)
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
