"""Workbooks the import pages hand out: a template to fill in, and the sheet an
office sent back with an added 错误说明 column after a failed preview.

Both are built with openpyxl in memory. The template has the resource's
Chinese headers, a sheet of notes (what each column takes, units, allowed
values), drop-down lists for choice columns and region codes, and one example
row. The error workbook keeps the uploaded rows in their order, marks every bad
cell (a fill and a comment) and explains each row in 错误说明, a column the
import ignores, so the file can be fixed in Excel and uploaded as it is.
"""

import io
import re
import uuid
from functools import cache

import tablib
from django.conf import settings
from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from import_export.formats import base_formats
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from programs.spreadsheets import (
    ERROR_NOTES,
    BoolWidget,
    ChoiceWidget,
    DateTimeWidget,
    DateWidget,
    IntWidget,
    ListWidget,
    LookupWidget,
    QuantityField,
    TextWidget,
    clean_text,
    escape_formula,
    header_key,
    split_header,
)

NOTES_COLUMN = ERROR_NOTES
COMMENT_AUTHOR = "导入检查"
# Rows of the template's data sheet that carry the drop-down lists.
VALIDATED_ROWS = 5000
MAX_LOOKUP_ROWS = 20000

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
NOTES_FILL = PatternFill("solid", fgColor="FFEB9C")
EXAMPLE_FONT = Font(color="808080", italic=True)
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# Columns ----------------------------------------------------------------------


def template_fields(resource_class) -> list:
    """The fields a template offers: every column an import reads, including
    the unit and qualifier columns a quantity column takes its unit from."""
    # In the resource's import order (its Meta.fields), as exports write them.
    fields = list(resource_class().get_import_fields())
    quantity_columns = set()
    for f in fields:
        if isinstance(f, QuantityField):
            quantity_columns |= {f.unit_column, f.qualifier_column}
    return [f for f in fields if not f.readonly or f.column_name in quantity_columns]


def canonical_columns(resource_class, headers) -> list[str | None]:
    """Each header of a sheet as the column the import reads it as (the same
    rules as SpreadsheetResource.normalise_dataset), None if it reads none."""
    known = resource_class.header_map()
    readonly = {
        header_key(f.column_name): f.column_name
        for f in template_fields(resource_class)
    }
    out = []
    for header in headers:
        key = header_key(header)
        column = (
            known.get(key) or known.get(split_header(header)[0]) or readonly.get(key)
        )
        out.append(column)
    return out


def is_notes_header(header) -> bool:
    return header_key(header) == header_key(NOTES_COLUMN)


def drop_notes_column(dataset: tablib.Dataset) -> None:
    """Remove the 错误说明 column an error workbook added, wherever it is."""
    for header in list(dataset.headers or []):
        if is_notes_header(header):
            del dataset[header]


@cache
def ignoring_notes(resource_class):
    """The resource, reading a sheet with a 错误说明 column as if it had none."""
    if getattr(resource_class, "ignores_notes_column", False):
        return resource_class

    def before_import(self, dataset, **kwargs):
        drop_notes_column(dataset)
        return super(subclass, self).before_import(dataset, **kwargs)

    subclass = type(
        resource_class.__name__,
        (resource_class,),
        {
            "__module__": resource_class.__module__,
            "__qualname__": resource_class.__qualname__,
            "__doc__": resource_class.__doc__,
            "before_import": before_import,
            "ignores_notes_column": True,
        },
    )
    return subclass


def required_columns(resource_class) -> set[str]:
    resource = resource_class()
    required = set(resource.required_columns())
    model = resource_class._meta.model
    for f in template_fields(resource_class):
        if f.readonly or not f.attribute or f.attribute in resource.unvalidated:
            continue
        try:
            model_field = model._meta.get_field(f.attribute)
        except FieldDoesNotExist:
            continue
        if not model_field.blank and not model_field.has_default():
            required.add(f.column_name)
    return required


def choice_labels(f) -> list[str]:
    if isinstance(f.widget, ChoiceWidget):
        return f.widget.labels()
    if isinstance(f.widget, BoolWidget):
        return ["是", "否"]
    return []


def region_lookup() -> list[tuple[str, str, str, str]]:
    """(code or address, name, level, parent) of every region, for the lookup
    sheet and the region drop-downs."""
    from programs.models import Region

    regions = Region.objects.select_related("parent").order_by("level", "code", "name")
    return [
        (
            r.code or r.slug,
            r.name,
            r.get_level_display(),
            r.parent.name if r.parent else "",
        )
        for r in regions[:MAX_LOOKUP_ROWS]
    ]


def is_region_widget(widget) -> bool:
    from programs.models import Region

    return isinstance(widget, LookupWidget) and widget.model is Region


def describe(f, resource_class) -> str:
    """What a column takes, in a sentence for the notes sheet."""
    widget = f.widget
    model = resource_class._meta.model
    parts = []
    if isinstance(f, QuantityField):
        parts.append(
            "数字，可以带单位和修饰，如“4600多万元”“1.2万”“约3500元”“一千五百”；"
            f"单位也可以写在“{f.unit_column}”列，或写在列名里，如“{f.column_name}（元）”"
        )
    elif f.column_name in ("单位",):
        parts.append("数字的单位，如 元、万元、户、人、亩；数字里已写单位时可以空着")
    elif is_region_widget(widget):
        parts.append(
            "区划代码（县级及以上6位，乡镇9位，村12位），从下拉列表选择；"
            "代码和名称见“地区代码”表；"
            "没有代码的乡镇、村写成“上级代码-名称”，如 500229-修齐镇"
        )
    elif isinstance(widget, ListWidget):
        parts.append(
            f"已有{widget.model._meta.verbose_name}的{widget.what}，多个用“；”分隔"
        )
    elif isinstance(widget, LookupWidget):
        parts.append(f"已有{widget.model._meta.verbose_name}的{widget.what}")
    elif isinstance(widget, ChoiceWidget):
        parts.append("从下拉列表选择")
    elif isinstance(widget, BoolWidget):
        parts.append("填“是”或“否”")
    elif isinstance(widget, DateWidget | DateTimeWidget):
        parts.append("日期，如 2019-11-06、2019/11/6 或 2019年11月6日")
    elif isinstance(widget, IntWidget):
        parts.append("四位年份，如 2019" if "年份" in f.column_name else "整数")
    elif isinstance(widget, TextWidget):
        parts.append("文字，可以换行" if widget.multiline else "文字")
    try:
        model_field = model._meta.get_field((f.attribute or "").split("__")[0])
    except Exception:
        model_field = None
    if model_field is not None:
        max_length = getattr(model_field, "max_length", None)
        if max_length and isinstance(widget, TextWidget):
            parts.append(f"最多{max_length}个字")
        if model_field.help_text:
            parts.append(str(model_field.help_text))
    return "；".join(parts)


# Template ---------------------------------------------------------------------

EXAMPLE_TEXT = {
    "标题": "示例：竹编合作社带动脱贫",
    "摘要": "合作社带动两百户贫困户增收。",
    "导语": "一根竹子，编出了一家人的新日子。",
    "正文": "合作社成立于2016年。\n两百户贫困户加入后，人均年收入超过4000元。",
    "变化": "全家2019年脱贫。",
    "作者署名": "记者 张三",
    "起始年份": 2016,
    "结束年份": 2020,
    "年份": 2019,
    "牵头单位": "县扶贫开发办公室",
    "来源媒体": "人民日报",
    "来源署名": "记者 张三",
    "来源日期": "2019-11-06",
    "指标": "带动贫困户",
    "数值": "200多户",
    "金额": "3000元",
    "出处": "县扶贫办年度报告",
    "排序": 1,
    "序号": 1,
    "说明": "产业扶持资金",
    "提供方": "县扶贫开发办公室",
    "覆盖人数": 1,
    "首页要闻数字": "否",
    "正文写到健康或残疾情况": "否",
    "真实姓名": "张示例",
    "出生年份": 1965,
    "简介": "竹编合作社社员。",
}

REGION_EXAMPLE = {"地区代码": "", "名称": "示例镇", "层级": "乡级"}


def example_row(resource_class, fields) -> list:
    """One row that imports cleanly into the current database (it refers only
    to regions, programs and stories that exist)."""
    from programs.models import Program, Region
    from stories.models import Cause, Story

    county = (
        Region.objects.filter(level=Region.Level.COUNTY).exclude(code="").first()
        or Region.objects.exclude(code="").order_by("-level").first()
    )
    existing = {
        Program: Program.objects.order_by("pk").values_list("slug", flat=True).first(),
        Story: Story.objects.order_by("pk").values_list("slug", flat=True).first(),
        Cause: Cause.objects.order_by("order").values_list("name", flat=True).first(),
    }
    overrides = REGION_EXAMPLE if resource_class._meta.model is Region else {}
    row = []
    for f in fields:
        column, widget = f.column_name, f.widget
        if column in overrides:
            value = overrides[column]
        elif is_region_widget(widget):
            value = county.code if county else ""
        elif isinstance(widget, LookupWidget | ListWidget):
            # People and households are never suggested: their names are private.
            value = existing.get(widget.model) or ""
        elif column in EXAMPLE_TEXT:
            value = EXAMPLE_TEXT[column]
        elif isinstance(widget, ChoiceWidget) and not f.readonly:
            value = widget.labels()[0]
        else:
            value = ""
        row.append(value)
    return row


def build_template(resource_class) -> bytes:
    """The XLSX an office fills in: headers, notes, drop-downs and an example."""
    fields = template_fields(resource_class)
    required = required_columns(resource_class)
    book = Workbook()
    data = book.active
    data.title = str(resource_class._meta.name or "数据")[:31]
    notes = book.create_sheet("填写说明")
    regions = book.create_sheet("地区代码")
    options = book.create_sheet("选项")
    options.sheet_state = "hidden"

    # The data sheet: headers and one example row.
    for index, f in enumerate(fields, start=1):
        cell = data.cell(row=1, column=index, value=f.column_name)
        cell.font = BOLD
        cell.fill = REQUIRED_FILL if f.column_name in required else HEADER_FILL
        cell.comment = Comment(describe(f, resource_class), COMMENT_AUTHOR)
        width = max(10, min(40, len(f.column_name) * 2 + 4))
        data.column_dimensions[get_column_letter(index)].width = width
    for index, value in enumerate(example_row(resource_class, fields), start=1):
        cell = data.cell(row=2, column=index, value=escape_formula(value))
        cell.font = EXAMPLE_FONT
        if isinstance(value, str):
            # Codes and slugs stay text in Excel (leading zeros, no 1.4E+05).
            cell.number_format = "@"
    data.freeze_panes = "A2"

    # Region codes, visible, so the codes in the drop-down can be looked up.
    lookup = region_lookup()
    regions.append(["地区代码", "名称", "层级", "上级地区"])
    for cell in regions[1]:
        cell.font, cell.fill = BOLD, HEADER_FILL
    for row in lookup:
        regions.append(list(row))
    for letter, width in zip("ABCD", (16, 20, 8, 20), strict=True):
        regions.column_dimensions[letter].width = width
    regions.freeze_panes = "A2"
    region_range = (
        f"{quote_sheetname(regions.title)}!$A$2:$A${len(lookup) + 1}" if lookup else ""
    )

    # Drop-downs: choices from the hidden sheet 选项, regions from 地区代码.
    choice_column = 0
    last = VALIDATED_ROWS + 1
    for index, f in enumerate(fields, start=1):
        letter = get_column_letter(index)
        labels = choice_labels(f)
        if labels:
            choice_column += 1
            option_letter = get_column_letter(choice_column)
            options.cell(row=1, column=choice_column, value=f.column_name)
            for row, label in enumerate(labels, start=2):
                options.cell(row=row, column=choice_column, value=label)
            source = (
                f"{quote_sheetname(options.title)}!"
                f"${option_letter}$2:${option_letter}${len(labels) + 1}"
            )
            validation = DataValidation(
                type="list",
                formula1=source,
                allow_blank=True,
                errorStyle="stop",
                errorTitle=f"“{f.column_name}”只能从列表中选择",
                error="可填：" + "、".join(labels),
                promptTitle=f.column_name,
                prompt="从下拉列表选择",
            )
        elif is_region_widget(f.widget) and region_range:
            # A warning, not a stop: the list is as old as the template.
            validation = DataValidation(
                type="list",
                formula1=region_range,
                allow_blank=True,
                errorStyle="warning",
                errorTitle="不在“地区代码”表中的代码",
                error="这个代码不在模板的地区列表中，导入时会检查它是否存在。",
                promptTitle=f.column_name,
                prompt="区划代码，见“地区代码”表",
            )
        else:
            continue
        validation.showErrorMessage = True
        validation.showInputMessage = True
        validation.add(f"{letter}2:{letter}{last}")
        data.add_data_validation(validation)

    # Notes: what every column takes.
    notes.append([f"{resource_class._meta.name}导入模板：填写说明"])
    notes["A1"].font = Font(bold=True, size=14)
    for line in (
        f"请在“{data.title}”表中填写，每行一条；第一行是列名，不要改动。",
        "第2行灰色斜体是示例，导入前请删除或改写。",
        "橙色列名是必填的列；把鼠标放在列名上可看到说明。",
        "同一个文件导入两次不会产生重复：已有的记录按标识找到后更新，没变的不改。",
        f"导入有错误时，可下载带“{NOTES_COLUMN}”列的表格，改好后直接上传；"
        f"“{NOTES_COLUMN}”列导入时会被忽略。",
    ):
        notes.append([line])
    notes.append([])
    notes.append(["列名", "是否必填", "说明", "可填的值"])
    header_row = notes.max_row
    for cell in notes[header_row]:
        cell.font, cell.fill = BOLD, HEADER_FILL
    for f in fields:
        labels = choice_labels(f)
        notes.append(
            [
                f.column_name,
                "必填" if f.column_name in required else "",
                describe(f, resource_class),
                "、".join(labels),
            ]
        )
        for cell in notes[notes.max_row]:
            cell.alignment = WRAP
    for letter, width in zip("ABCD", (18, 10, 70, 40), strict=True):
        notes.column_dimensions[letter].width = width
    book.active = 0
    return save(book)


def template_filename(resource_class) -> str:
    return f"{resource_class._meta.name or '数据'}-导入模板.xlsx"


# Error workbook ---------------------------------------------------------------


def row_errors(result) -> dict[int, dict[str, list[str]]]:
    """Every row's messages by sheet line and column ("" for the row as a whole):
    invalid rows, rows skipped for errors, and rows that failed to save."""
    found: dict[int, dict[str, list[str]]] = {}
    for row in result.rows:
        line = getattr(row, "line", None)
        if line is None:
            continue
        errors: dict[str, list[str]] = {}
        if row.validation_error is not None:
            error = row.validation_error
            if hasattr(error, "error_dict"):
                for column, messages in error.message_dict.items():
                    column = "" if column == "__all__" else column
                    errors.setdefault(column, []).extend(messages)
            else:
                errors.setdefault("", []).extend(error.messages)
        for column, messages in (getattr(row, "dropped", None) or {}).items():
            errors.setdefault(column, []).extend(messages)
        for error in row.errors:
            errors.setdefault("", []).append(str(error.error))
        if errors:
            found[line] = errors
    return found


def has_row_errors(result) -> bool:
    return bool(row_errors(result))


def mark_cell(cell, messages: list[str]) -> None:
    cell.fill = ERROR_FILL
    cell.comment = Comment("\n".join(messages), COMMENT_AUTHOR, width=300, height=120)


def is_our_mark(cell) -> bool:
    comment = cell.comment
    return comment is not None and comment.author == COMMENT_AUTHOR


def build_error_workbook(data: bytes, input_format, resource_class, result) -> bytes:
    """The uploaded sheet with its bad cells marked and a 错误说明 column.

    An XLSX is changed in place (its other sheets, formats and drop-downs
    stay); any other format becomes an XLSX with the same headers and rows.
    Marks from an earlier round are cleared first.
    """
    errors = row_errors(result)
    if isinstance(input_format, base_formats.XLSX):
        book = load_workbook(io.BytesIO(data))
        sheet = book.active
        headers = [c.value for c in sheet[1]] if sheet.max_row else []
    else:
        dataset = input_format.create_dataset(data)
        book = Workbook()
        sheet = book.active
        sheet.title = str(resource_class._meta.name or "数据")[:31]
        headers = list(dataset.headers or [])
        sheet.append([escape_formula(clean_text(h)) for h in headers])
        for row in dataset:
            sheet.append([escape_formula(v) if isinstance(v, str) else v for v in row])
        for cell in sheet[1]:
            cell.font = BOLD

    # The 错误说明 column: the one already there, or a new one at the end.
    notes_index = next(
        (i for i, h in enumerate(headers, start=1) if is_notes_header(h)), None
    )
    if notes_index is None:
        while headers and clean_text(headers[-1]).strip() == "":
            headers.pop()
        notes_index = len(headers) + 1
    columns = canonical_columns(resource_class, headers)
    position = {c: i for i, c in enumerate(columns, start=1) if c and i != notes_index}

    header = sheet.cell(row=1, column=notes_index, value=NOTES_COLUMN)
    header.font, header.fill = BOLD, NOTES_FILL
    header.comment = Comment(
        "导入时会忽略这一列。改好标红的单元格后，可以直接上传这个文件。",
        COMMENT_AUTHOR,
    )
    sheet.column_dimensions[get_column_letter(notes_index)].width = 60

    # Clear the marks of an earlier round.
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if is_our_mark(cell):
                cell.comment = None
                cell.fill = PatternFill()
        if len(row) >= notes_index:
            row[notes_index - 1].value = None

    for line, by_column in sorted(errors.items()):
        messages = [m for ms in by_column.values() for m in ms]
        for column, column_messages in by_column.items():
            if column in position:
                mark_cell(
                    sheet.cell(row=line, column=position[column]), column_messages
                )
        cell = sheet.cell(row=line, column=notes_index, value="\n".join(messages))
        cell.fill, cell.alignment = NOTES_FILL, WRAP
        cell.comment = Comment("导入时会忽略这一列。", COMMENT_AUTHOR)
    book.active = book.worksheets.index(sheet)
    return save(book)


def error_filename(original_name: str) -> str:
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", (original_name or "").rsplit("/", 1)[-1])
    return f"{stem or '导入'}-错误说明.xlsx"


# Error workbooks, kept in the database ----------------------------------------

# A signing salt, not a password.
TOKEN_SALT = "programs.workbooks.error-workbook"  # nosec B105


def error_max_age() -> int:
    return getattr(settings, "IMPORT_ERROR_WORKBOOK_MAX_AGE", 3600)


def error_workbooks():
    from imports.models import ImportUpload

    return ImportUpload.objects.filter(purpose=ImportUpload.Purpose.ERRORS)


def sweep_error_workbooks() -> None:
    """Delete error workbooks nobody downloaded before they expired."""
    cutoff = timezone.now() - timezone.timedelta(seconds=error_max_age())
    error_workbooks().filter(created_at__lt=cutoff).delete()


def store_error_workbook(content: bytes, *, user, model, filename: str) -> str:
    """Keep an error workbook for one download by this user, in the database
    (the download may reach another app server); a signed token."""
    sweep_error_workbooks()
    stored = error_workbooks().create(
        purpose=error_workbooks().model.Purpose.ERRORS, data=content, size=len(content)
    )
    return signing.dumps(
        {"k": stored.pk.hex, "u": user.pk, "m": model._meta.label_lower, "f": filename},
        salt=TOKEN_SALT,
        compress=True,
    )


class ErrorWorkbookGone(Exception):
    """Downloaded already, expired, or not this user's."""


def take_error_workbook(token: str, *, user, model) -> tuple[bytes, str]:
    """The error workbook a token names, deleted as it is handed out."""
    sweep_error_workbooks()
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=error_max_age())
    except signing.BadSignature:
        raise ErrorWorkbookGone from None
    if payload.get("u") != user.pk or payload.get("m") != model._meta.label_lower:
        raise ErrorWorkbookGone
    if not re.fullmatch(r"[0-9a-f]{32}", str(payload.get("k"))):
        raise ErrorWorkbookGone
    stored = error_workbooks().filter(pk=uuid.UUID(hex=payload["k"])).first()
    # Whoever deletes it hands it out: a second click, or the same link on
    # another app server at the same moment, finds nothing.
    if stored is None or not error_workbooks().filter(pk=stored.pk).delete()[0]:
        raise ErrorWorkbookGone
    content = bytes(stored.data)
    return content, payload.get("f") or "错误说明.xlsx"
