from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.results import RowResult

from editorial.admin import EditorialAdmin
from privacy.forms import PhotoForm
from programs.abstract import format_number
from programs.models import Figure, Program, ProgramPhoto, Region
from programs.resources import FigureResource, ProgramResource, RegionResource
from programs.spreadsheets import FORMATS, SpreadsheetError, max_upload_bytes

IMPORT_MODES = [
    ("all", _("全部或全不：任何一行有错就什么都不导入（推荐）")),
    ("valid", _("只导入没有错误的行，有错的行跳过")),
]


class SpreadsheetImportForm(ImportForm):
    mode = forms.ChoiceField(label=_("有错误时"), choices=IMPORT_MODES, initial="all")

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


class SpreadsheetAdminMixin(ImportExportMixin):
    """Import and export through spreadsheets: upload, a preview of new, changed,
    unchanged and invalid rows, then confirmation; all or nothing by default.

    Importing needs the model's import permission (the group 导入) as well as the
    right to change it; exporting needs the right to view it, and exports what
    the change list shows with its filters."""

    # XLSX, XLS, ODS and CSV, read in whatever encoding (programs.spreadsheets).
    formats = FORMATS
    import_form_class = SpreadsheetImportForm
    confirm_form_class = SpreadsheetConfirmForm
    import_template_name = "admin/import_export/spreadsheet_import.html"
    import_error_display = ("message",)

    def has_import_permission(self, request):
        opts = self.opts
        code = getattr(settings, "IMPORT_EXPORT_IMPORT_PERMISSION_CODE", "import")
        return request.user.has_perm(
            f"{opts.app_label}.{get_permission_codename(code, opts)}"
        ) and self.has_change_permission(request)

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        mode = form.cleaned_data.get("mode") if form and form.is_bound else "all"
        return {"only_valid": mode == "valid", "user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        # The resource decides which names this user may see in the file.
        return {"user": request.user}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["mode"] = import_form.cleaned_data.get("mode", "all")
        return initial

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
            self.get_tmp_storage_class()(name=name).remove()
            upload.tmp_storage_name = None

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        form = context.get("form")
        if (
            form is not None
            and request.method == "POST"
            and "confirm_form" not in context
        ):
            self.forget_upload(form)
        return response

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            messages.error(
                request, _("导入没有完成，什么都没有写入。请重新上传并检查预览。")
            )
            url = reverse(
                "admin:{}_{}_import".format(*self.get_model_info()),
                current_app=self.admin_site.name,
            )
            return HttpResponseRedirect(url)
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        totals = result.totals
        messages.success(
            request,
            _("导入完成：新增 %(new)d 条，修改 %(update)d 条，未变 %(skip)d 条。")
            % {
                "new": totals[RowResult.IMPORT_TYPE_NEW],
                "update": totals[RowResult.IMPORT_TYPE_UPDATE],
                "skip": totals[RowResult.IMPORT_TYPE_SKIP]
                - len(getattr(result, "dropped", [])),
            },
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
