"""Reading and writing the spreadsheets county offices send and receive.

Offices write headers in Chinese, in their own words ("资金投入（万元）"), numbers
the way a report states them ("4600多万元", "1.2万", "一千五百"), dates in half a
dozen forms, and codes that a spreadsheet would gladly turn into 140225.0. This
module turns all of that into what the models store, and back, for the
django-import-export resources in `programs/resources.py` and
`stories/resources.py`.
"""

import codecs
import contextlib
import csv
import functools
import io
import json
import re
import unicodedata
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

import tablib
from django.conf import settings
from django.core.exceptions import (
    FieldDoesNotExist,
    MultipleObjectsReturned,
    ValidationError,
)
from django.utils import timezone
from django.utils.safestring import mark_safe
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.results import RowResult

from programs.abstract import (
    MAGNITUDES,
    QUALIFIER_SUFFIX,
    Qualifier,
)


class SpreadsheetError(ValueError):
    """A problem with the file as a whole, worded for the person who sent it."""


# Text -------------------------------------------------------------------------


def clean_text(value) -> str:
    """A cell as text: 140225.0 → "140225", None → "", CRLF → LF."""
    if type(value) is str:  # most cells: a dozen calls per row of a large file
        return (
            value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value
        )
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal) and value == value.to_integral():
        return str(value.quantize(Decimal(1)))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def header_key(text) -> str:
    """How a header is compared: full-width forms folded, spaces, a required-field
    star and a trailing colon dropped, English in lower case."""
    if isinstance(text, str):
        return _text_key(text)
    return _text_key(clean_text(text))


@functools.lru_cache(maxsize=65536)
def _text_key(text: str) -> str:
    # Also how row keys are compared, for every row of a large file.
    text = unicodedata.normalize("NFKC", clean_text(text))
    text = re.sub(r"\s+", "", text).rstrip(":*").lstrip("*")
    return text.lower()


def split_header(text: str) -> tuple[str, str]:
    """ "资金投入（万元）" → ("资金投入", "万元"): the name and the unit it states."""
    key = header_key(text)
    match = re.fullmatch(r"(.+?)[(\[]([^()\[\]]+)[)\]]", key)
    if match:
        return match.group(1), match.group(2)
    return key, ""


# Formula injection ------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    """A cell a spreadsheet would run as a formula, made plain text with a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unescape_formula(value):
    if (
        isinstance(value, str)
        and len(value) > 1
        and value[0] == "'"
        and value[1:].startswith(FORMULA_STARTS)
    ):
        return value[1:]
    return value


# Numbers ----------------------------------------------------------------------

CHINESE_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000}
CHINESE_NUMERAL = "零〇一二两三四五六七八九十百千万亿点"


def chinese_to_decimal(text: str) -> Decimal:
    """一千五百 → 1500, 两万三千 → 23000, 十二 → 12, 三点五 → 3.5."""
    whole, _point, fraction = text.partition("点")
    total, section, number = Decimal(0), Decimal(0), 0
    for char in whole:
        if char in CHINESE_DIGITS:
            number = CHINESE_DIGITS[char]
        elif char in CHINESE_UNITS:
            section += (number or 1) * CHINESE_UNITS[char]
            number = 0
        elif char in MAGNITUDES:
            total += (section + number) * MAGNITUDES[char]
            section, number = Decimal(0), 0
        else:
            raise ValueError(text)
    value = total + section + number
    if fraction:
        digits = "".join(str(CHINESE_DIGITS[c]) for c in fraction)
        value += Decimal(f"0.{digits}")
    return value


QUALIFIER_WORDS = {
    "确数": Qualifier.EXACT,
    "准确": Qualifier.EXACT,
    "多": Qualifier.MORE,
    "余": Qualifier.ODD,
    "超过": Qualifier.OVER,
    "约": Qualifier.ABOUT,
    "近": Qualifier.NEARLY,
}
PREFIX_WORDS = [
    ("超过", Qualifier.OVER),
    ("多于", Qualifier.OVER),
    ("逾", Qualifier.OVER),
    ("大约", Qualifier.ABOUT),
    ("约", Qualifier.ABOUT),
    ("将近", Qualifier.NEARLY),
    ("近", Qualifier.NEARLY),
]
SUFFIX_WORDS = [("以上", Qualifier.OVER), ("左右", Qualifier.ABOUT)]
ARABIC = re.compile(r"[0-9][0-9,]*(?:\.[0-9]+)?|\.[0-9]+")
# Most cells of a large file: a number and nothing else.
PLAIN_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")


class Parsed:
    """A quantity read from a cell: 4600多万元 → 4600, 万元, 多."""

    def __init__(self, value, unit="", qualifier=Qualifier.EXACT, after=False):
        self.value, self.unit = value, unit
        self.qualifier, self.after_magnitude = qualifier, after

    def __repr__(self) -> str:
        return f"<Parsed {self.value} {self.unit} {self.qualifier}>"


def qualifier_from_word(text) -> str | None:
    word = header_key(text)
    if not word:
        return None
    if word in QUALIFIER_WORDS:
        return QUALIFIER_WORDS[word]
    for choice in Qualifier:
        if word in (choice.value, header_key(choice.label)):
            return choice.value
    raise ValueError(
        "无法识别的修饰“{}”，可填：{}".format(text, "、".join(QUALIFIER_WORDS))
    )


def parse_quantity(value, target_unit: str = "") -> Parsed:
    """A number as a report states it, in the unit the column or header states.

    "4600多万元" keeps its unit and its 多; "1.2万" in a column of 元 is 12000
    元; "一千五百" is 1500; "超过80万元" and "80万元以上" are both 超过.
    """
    if isinstance(value, bool):
        raise ValueError("不是数字")
    if isinstance(value, int | float | Decimal):
        return Parsed(Decimal(str(value)), target_unit)
    if type(value) is str and PLAIN_NUMBER.fullmatch(value):
        return Parsed(Decimal(value), target_unit.strip())
    text = unicodedata.normalize("NFKC", clean_text(value)).replace(" ", "")
    text = text.replace("，", ",").replace("。", ".")
    if not text:
        raise ValueError("没有填写数字")
    qualifier = Qualifier.EXACT
    for word, q in PREFIX_WORDS:
        if text.startswith(word):
            text, qualifier = text[len(word) :], q
            break
    for word, q in SUFFIX_WORDS:
        if text.endswith(word):
            text, qualifier = text[: -len(word)], q
            break
    match = ARABIC.match(text)
    if match:
        number = Decimal(match.group().replace(",", ""))
        rest = text[match.end() :]
    else:
        numeral = re.match(f"[{CHINESE_NUMERAL}]+", text)
        if not numeral:
            raise ValueError(f"“{value}”不是数字")
        words = numeral.group()
        # A trailing 万/亿 belongs to the unit, as in 一千五百万元.
        stripped = words.rstrip("万亿")
        if not stripped:
            raise ValueError(f"“{value}”不是数字")
        try:
            number = chinese_to_decimal(stripped)
        except (ValueError, KeyError, InvalidOperation):
            raise ValueError(f"“{value}”不是数字") from None
        rest = text[len(stripped) :]
    after = False
    if rest[:1] in QUALIFIER_SUFFIX.values():
        qualifier = QUALIFIER_WORDS[rest[0]]
        rest = rest[1:]
    elif rest[:1] in MAGNITUDES and rest[1:2] in QUALIFIER_SUFFIX.values():
        qualifier = QUALIFIER_WORDS[rest[1]]
        rest, after = rest[0] + rest[2:], True
    if rest and not re.fullmatch(r"[^\d.,]+", rest):
        raise ValueError(f"“{value}”不是数字")
    target = target_unit.strip()
    if not rest:
        return Parsed(number, target, qualifier)
    if rest in MAGNITUDES:
        if target[:1] == rest and len(target) > 1:
            return Parsed(number, target, qualifier, after)
        # 1.2万 in a column of 元 (or of nothing) is 12000.
        return Parsed(number * MAGNITUDES[rest], target, qualifier)
    # A cell that states its own unit is kept as the source wrote it.
    return Parsed(number, rest, qualifier, after)


def write_quantity(obj) -> str:
    return obj.display.replace(",", "") if obj.value is not None else ""


# Dates ------------------------------------------------------------------------

EXCEL_EPOCH = date(1899, 12, 30)
DATE_PATTERNS = [
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
]


def excel_serial_to_date(number: float) -> date:
    # Excel counts days from 1899-12-30 (its 1900 leap-year bug included).
    if not 1 <= number < 2958466:
        raise ValueError("日期数字超出范围")
    return EXCEL_EPOCH + timedelta(days=int(number))


def parse_date(value) -> date | None:
    """2019-11-06, 2019/11/6, 2019.11.6, 2019年11月6日, 20191106, a date cell or
    an Excel serial number (43775)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return excel_serial_to_date(float(value))
    text = unicodedata.normalize("NFKC", clean_text(value)).strip()
    if not text:
        return None
    text = text.split(" ")[0].split("T")[0]
    for pattern in DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return date(*(int(g) for g in match.groups()))
            except ValueError:
                break
    else:
        if re.fullmatch(r"\d{4,5}(\.\d+)?", text):
            return excel_serial_to_date(float(text))
    raise ValueError(f"无法识别的日期“{value}”，请写成 2019-11-06 或 2019年11月6日")


# Widgets ----------------------------------------------------------------------


class TextWidget(widgets.Widget):
    """Text that stays text: codes keep their leading zeros and lose Excel's .0."""

    def __init__(self, multiline: bool = False):
        super().__init__(coerce_to_string=True)
        self.multiline = multiline

    def clean(self, value, row=None, **kwargs):
        text = clean_text(value)
        return text if self.multiline else text.strip()

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class IntWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value is None:
            return None
        text = clean_text(value).strip()
        if not text:
            return None
        if text.isascii() and text.isdigit():  # most cells: no parsing needed
            return int(text)
        try:
            number = parse_quantity(value).value
        except ValueError:
            raise ValueError(f"“{value}”不是整数") from None
        if number != number.to_integral():
            raise ValueError(f"“{value}”不是整数")
        return int(number)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class BoolWidget(widgets.Widget):
    TRUE = {"是", "1", "true", "yes", "y", "√", "✓", "对", "有"}
    FALSE = {"否", "0", "false", "no", "n", "×", "", "无", "不"}

    def clean(self, value, row=None, **kwargs):
        text = header_key(value)
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(f"请填“是”或“否”，而不是“{value}”")

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class DateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return parse_date(value)

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class DateTimeWidget(widgets.Widget):
    """Export only: the time in the portal's zone, to the minute."""

    def clean(self, value, row=None, **kwargs):
        day = parse_date(value)
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day, datetime.min.time()))

    def render(self, value, obj=None, **kwargs):
        if not value:
            return ""
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


class ChoiceWidget(widgets.Widget):
    """A choice by its label (县级, 每月) or stored value; written as the label."""

    def __init__(self, choices, extra: dict | None = None):
        super().__init__()
        self.choices = [(value, str(label)) for value, label in choices]
        self.lookup = {}
        for value, label in self.choices:
            self.lookup[header_key(label)] = value
            self.lookup[header_key(value)] = value
            # "多（如 4600多万元）" is also accepted as "多".
            self.lookup.setdefault(header_key(re.split(r"[(（]", label)[0]), value)
        for word, value in (extra or {}).items():
            self.lookup[header_key(word)] = value

    def clean(self, value, row=None, **kwargs):
        key = header_key(value)
        if key == "" and "" not in self.lookup:
            # An empty cell: nothing for a number choice, "" for a text one.
            return None if isinstance(self.choices[0][0], int) else ""
        if key in self.lookup:
            return self.lookup[key]
        allowed = "、".join(label for _value, label in self.choices)
        raise ValueError(f"“{value}”不是可选的值，可填：{allowed}")

    def render(self, value, obj=None, **kwargs):
        for choice, label in self.choices:
            if choice == value:
                return re.split(r"[（]", label)[0]
        return "" if value is None else str(value)

    def labels(self) -> list[str]:
        return [re.split(r"[（]", label)[0] for _value, label in self.choices]


class LookupWidget(widgets.ForeignKeyWidget):
    """A related row by its code, slug or name; a Chinese message if none."""

    def __init__(self, model, field: str, what: str, **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.what = what

    # The fast path (imports.fast) gives each import a dict here, so that a
    # program named on 100,000 rows is looked up once, not 100,000 times.
    memo: dict | None = None

    def clean(self, value, row=None, **kwargs):
        text = clean_text(value).strip()
        if not text:
            return None
        if self.memo is None:
            return self.lookup(text, row)
        key = self.memo_key(text, row)
        try:
            found = self.memo[key]
        except KeyError:
            try:
                found = self.lookup(text, row)
            except ValueError as exc:
                found = exc
            self.memo[key] = found
        if isinstance(found, ValueError):
            raise found
        return found

    def memo_key(self, text: str, row):
        return text

    def lookup(self, text: str, row):
        try:
            return self.get_queryset(text, row).get(**{self.field: text})
        except self.model.DoesNotExist:
            raise ValueError(
                f"找不到{self.what}为“{text}”的{self.model._meta.verbose_name}"
            ) from None
        except MultipleObjectsReturned:
            raise ValueError(
                f"{self.what}为“{text}”的{self.model._meta.verbose_name}不止一个，请改用唯一的标识"
            ) from None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(getattr(value, self.field))


LIST_SEPARATORS = re.compile(r"[;；、\n]")


class ListWidget(widgets.ManyToManyWidget):
    """Many related rows, separated by ；or ; (or 、)."""

    def __init__(self, model, field: str, what: str):
        super().__init__(model, separator="；", field=field)
        self.what = what

    def clean(self, value, row=None, **kwargs):
        names = [n.strip() for n in LIST_SEPARATORS.split(clean_text(value))]
        names = list(dict.fromkeys(n for n in names if n))
        found = self.model.objects.filter(**{f"{self.field}__in": names})
        missing = set(names) - {str(getattr(o, self.field)) for o in found}
        if missing:
            raise ValueError(
                "找不到{}为“{}”的{}".format(
                    self.what,
                    "”“".join(sorted(missing)),
                    self.model._meta.verbose_name,
                )
            )
        return found

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return self.separator.join(
            str(getattr(o, self.field)) for o in value.order_by(self.field)
        )


class QuantityField(fields.Field):
    """One column for a Quantity's value, unit and qualifier ("4600多万元").

    The unit comes from the cell, else from the 单位 column, else from the
    header ("金额（元）"); the 修饰 column supplies a qualifier the cell lacks.
    """

    def __init__(self, column_name: str, unit_column="单位", qualifier_column="修饰"):
        super().__init__(attribute="value", column_name=column_name, widget=None)
        self.unit_column, self.qualifier_column = unit_column, qualifier_column
        self.header_unit = ""

    def clean(self, row, **kwargs):
        target = clean_text(row.get(self.unit_column)).strip() or self.header_unit
        parsed = parse_quantity(row[self.column_name], target)
        stated = qualifier_from_word(row.get(self.qualifier_column))
        if parsed.qualifier == Qualifier.EXACT and stated:
            parsed.qualifier = stated
        return parsed

    def save(self, instance, row, is_m2m=False, **kwargs):
        parsed = self.clean(row, **kwargs)
        instance.value = parsed.value
        instance.unit = parsed.unit
        instance.qualifier = parsed.qualifier
        instance.qualifier_after_magnitude = parsed.after_magnitude

    def get_value(self, instance):
        if instance is None or instance.value is None:
            return None
        return (
            Decimal(instance.value).normalize(),
            instance.unit,
            instance.qualifier,
            instance.qualifier_after_magnitude,
        )

    def export(self, instance, **kwargs):
        return write_quantity(instance) if instance is not None else ""


# Rows -------------------------------------------------------------------------


def data_rows(rows, first_line: int = 2):
    """(line in the spreadsheet, values) for every row that is not blank, with
    formula escaping undone; the header is line 1."""
    for line, row in enumerate(rows, start=first_line):
        # Plain text cells (most of a large file) need no call.
        values = [
            v if type(v) is str and v[:1] != "'" else unescape_formula(v) for v in row
        ]
        for v in values:
            if (v if type(v) is str else clean_text(v)).strip():
                yield line, values
                break


# Resources --------------------------------------------------------------------


def field(attribute, column, widget=None, readonly=False, **kwargs):
    return fields.Field(
        attribute=attribute,
        column_name=column,
        widget=widget or TextWidget(),
        readonly=readonly,
        **kwargs,
    )


ERROR_NOTES = "错误说明"


class UnstyledDiff(resources.Diff):
    """diff-match-patch colours its <ins> and <del> with style attributes,
    which the Content-Security-Policy blocks; the import page's style sheet
    colours them instead."""

    STYLE = re.compile(r' style="background:#(?:e6ffe6|ffe6e6);"')

    def as_html(self) -> list[str]:
        # Removing an attribute from HTML that was safe keeps it safe.
        return [
            mark_safe(self.STYLE.sub("", cell))  # nosec B308 B703
            for cell in super().as_html()
        ]


class SpreadsheetResource(resources.ModelResource):
    """A resource whose columns carry Chinese names, matched on natural keys.

    `aliases` maps other headers an office may write to a column; a field's
    attribute name and the model field's verbose name are accepted too.
    Every import is one transaction: with `only_valid=False` (the default) a
    single invalid row rolls back the whole file.
    """

    aliases: dict[str, str] = {}

    @classmethod
    def get_diff_class(cls):
        return UnstyledDiff

    class Meta:
        # Inherited by every resource: a re-imported unchanged row is not saved,
        # is reported as such, and a file is one transaction.
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    # Columns whose values together identify a row, as shown to the office.
    key_columns: tuple[str, ...] = ()
    # Model fields the import never sets (so never validated either).
    unvalidated: tuple[str, ...] = ()

    def __init__(
        self,
        only_valid: bool = False,
        user=None,
        allow_recreate: bool = False,
        recorder=None,
        progress=None,
        **kwargs,
    ):
        super().__init__()
        self.only_valid = only_valid
        self.user = user
        # imports.recording: the batch's row log, and who wants to know how
        # far the import got (both optional: a bare import records nothing).
        self.recorder = recorder
        self.progress = progress
        self.row_instance = None
        self.row_before: dict | None = None
        self.total_rows = 0
        self.error_rows = 0
        # Whether to keep each matched item's fields before the row changes
        # them (the fast path compares them to tell an unchanged row).
        self.track_changes = False
        # Rows that would bring back an item deleted since are refused unless
        # the importer chose to re-create them.
        self.allow_recreate = allow_recreate
        self.line_numbers: list[int] = []
        self.columns_by_attribute: dict[str, str] = {}
        self.seen_keys: dict[tuple, int] = {}
        self.row_warnings: list[str] = []
        self.file_name = ""
        self.dry_run = False
        # Programs and stories this import saved, or saved lines of: whether
        # it created them, and how many of their lines it saved.
        self.touched: dict[tuple[type, int], tuple[bool, int]] = {}

    # Headers --------------------------------------------------------------

    @classmethod
    def header_map(cls) -> dict[str, str]:
        known = {}
        model = cls._meta.model
        for name, f in cls.fields.items():
            if f.readonly:
                continue
            known[header_key(f.column_name)] = f.column_name
            known[header_key(name)] = f.column_name
            if f.attribute:
                attribute = f.attribute.split("__")[0]
                known[header_key(attribute)] = f.column_name
                with contextlib.suppress(FieldDoesNotExist):
                    verbose = model._meta.get_field(attribute).verbose_name
                    known.setdefault(header_key(verbose), f.column_name)
        for alias, column in cls.aliases.items():
            known[header_key(alias)] = column
        return known

    @classmethod
    def readonly_columns(cls) -> set[str]:
        return {header_key(f.column_name) for f in cls.fields.values() if f.readonly}

    def normalise_dataset(self, dataset: tablib.Dataset) -> None:
        """Rename headers to the canonical columns, drop blank rows (keeping the
        spreadsheet's line numbers for messages) and undo formula escaping."""
        headers = self.start_stream(dataset.headers)
        rows, lines = [], []
        for line, values in data_rows(dataset):
            rows.append(values)
            lines.append(line)
        dataset.wipe()
        dataset.headers = headers
        for values in rows:
            dataset.append(values)
        self.line_numbers = lines

    def canonical_headers(self, original) -> list[str]:
        """The columns the import reads, for a sheet's headers (another word
        for a column, a unit in brackets); refuses unknown, repeated and
        missing columns."""
        if not original:
            raise SpreadsheetError("文件是空的：第一行应是列名。")
        known, readonly = self.header_map(), self.readonly_columns()
        headers, unknown = [], []
        for header in original:
            name, unit = split_header(header)
            column = known.get(header_key(header)) or known.get(name)
            # 错误说明 is the column the error workbook adds: fixed sheets come
            # back with it, from the admin or the command line.
            if column is None and header_key(header) in readonly | {
                "",
                header_key(ERROR_NOTES),
            }:
                column = clean_text(header)
            if column is None:
                if clean_text(header).strip():
                    unknown.append(clean_text(header))
                column = clean_text(header)
            elif unit:
                for f in self.fields.values():
                    if f.column_name == column and isinstance(f, QuantityField):
                        f.header_unit = unit
            headers.append(column)
        if unknown:
            raise SpreadsheetError(
                "无法识别的列名：{}。可用的列名：{}".format(
                    "、".join(unknown), "、".join(self.import_columns())
                )
            )
        duplicated = {h for h in headers if h and headers.count(h) > 1}
        if duplicated:
            raise SpreadsheetError("列名重复：{}".format("、".join(sorted(duplicated))))
        missing = [c for c in self.required_columns() if c not in headers]
        if missing:
            raise SpreadsheetError("缺少必需的列：{}".format("、".join(missing)))
        return headers

    def import_columns(self) -> list[str]:
        return [f.column_name for f in self.fields.values() if not f.readonly]

    def required_columns(self) -> list[str]:
        return list(self.key_columns)

    def before_import(self, dataset, **kwargs):
        self.normalise_dataset(dataset)
        self.total_rows = len(dataset)
        if not len(dataset):
            raise SpreadsheetError("文件里没有数据行。")

    def _check_import_id_fields(self, headers):
        # normalise_dataset checked the key columns, in Chinese.
        return

    # Rows -----------------------------------------------------------------

    def line(self, row_number: int) -> int:
        if 0 < row_number <= len(self.line_numbers):
            return self.line_numbers[row_number - 1]
        return row_number + 1

    def column_of(self, attribute: str) -> str:
        """The column a model field is read from (or its name), as messages
        name it; asked for on every row, worked out once."""
        if attribute not in self.columns_by_attribute:
            self.columns_by_attribute[attribute] = self.find_column(attribute)
        return self.columns_by_attribute[attribute]

    def find_column(self, attribute: str) -> str:
        for f in self.fields.values():
            if f.attribute and f.attribute.split("__")[0] in (
                attribute,
                attribute.removesuffix("_id"),
            ):
                return f.column_name
        try:
            return str(self._meta.model._meta.get_field(attribute).verbose_name)
        except Exception:
            return attribute

    def row_key(self, row) -> tuple:
        return tuple(header_key(row.get(c)) for c in self.key_columns)

    def before_import_row(self, row, **kwargs):
        key = self.row_key(row)
        if self.key_columns and any(key):
            line = self.line(kwargs.get("row_number", 0))
            if key in self.seen_keys:
                raise ValidationError(
                    {
                        self.key_columns[0]: f"与第{self.seen_keys[key]}行重复"
                        f"（{'、'.join(self.key_columns)}相同）"
                    }
                )
            self.seen_keys[key] = line

    def get_instance(self, instance_loader, row):
        try:
            return super().get_instance(instance_loader, row)
        except ValueError as exc:
            column = self.key_columns[0] if self.key_columns else ""
            raise ValidationError({column: str(exc)}) from None
        except MultipleObjectsReturned:
            raise ValidationError(
                {self.key_columns[0]: "有不止一条记录与这一行的标识相同"}
            ) from None

    def import_instance(self, instance, row, **kwargs):
        self.row_instance = instance
        if (
            self.recorder is not None or self.track_changes
        ) and instance.pk is not None:
            from imports.snapshots import snapshot

            self.row_before = snapshot(instance)
        else:
            self.row_before = None
        errors = {}
        for f in self.get_import_fields():
            if isinstance(f.widget, widgets.ManyToManyWidget):
                try:
                    f.clean(row)
                except ValueError as exc:
                    errors[f.column_name] = [str(exc)]
                except KeyError:
                    pass
                continue
            try:
                self.import_field(f, instance, row, **kwargs)
            except ValueError as exc:
                errors[f.column_name] = [str(exc)]
        if errors:
            raise ValidationError(errors)

    def validate_instance(
        self, instance, import_validation_errors=None, validate_unique=True
    ):
        errors = dict(import_validation_errors or {})
        exclude = set(self.unvalidated)
        for column in errors:
            for f in self.fields.values():
                if f.column_name == column and f.attribute:
                    exclude.add(f.attribute.split("__")[0])
        self.row_warnings.extend(self.plausibility(instance))
        try:
            instance.full_clean(exclude=exclude, validate_unique=validate_unique)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                column = "" if name == "__all__" else self.column_of(name)
                errors.setdefault(column, []).extend(messages)
        if errors:
            raise ValidationError(errors)

    def import_row(self, row, instance_loader, **kwargs):
        self.row_warnings = []
        self.row_instance = None
        result = super().import_row(row, instance_loader, **kwargs)
        line = self.line(kwargs.get("row_number", 0))
        return self.finish_row(result, line, kwargs.get("row_number", 0))

    def finish_row(self, result, line: int, row_number: int):
        """A row's outcome as the office reads it: messages naming the row and
        column, errors dropped (only valid rows) or blocking, warnings; then
        recorded on the batch and counted in the progress."""
        result.line = line
        if result.validation_error is not None:
            result.validation_error = ValidationError(
                self.messages(result.validation_error, line)
            )
        if result.errors:
            # An unexpected failure (a database constraint): no traceback.
            for error in result.errors:
                error.error = SpreadsheetError(f"第{line}行：无法保存（{error.error}）")
        if result.validation_error is not None and self.only_valid:
            result.dropped = self.messages(result.validation_error, line)
            result.validation_error = None
            result.import_type = RowResult.IMPORT_TYPE_SKIP
        if result.import_type in (
            RowResult.IMPORT_TYPE_NEW,
            RowResult.IMPORT_TYPE_UPDATE,
        ):
            result.warnings = [f"第{line}行，{note}" for note in self.row_warnings]
        self.record_row(result, line)
        if self.progress is not None:
            if (
                result.validation_error is not None
                or result.errors
                or getattr(result, "dropped", None)
            ):
                self.error_rows += 1
            self.progress(row_number, self.total_rows, self.error_rows)
        return result

    def record_row(self, result, line: int) -> None:
        """Tell the batch's recorder what this row did (unchanged rows are only
        counted): the values it found and left, or why it was refused."""
        if self.recorder is None or self.dry_run:
            return
        from imports.models import ImportRow
        from imports.snapshots import changed, snapshot

        kind, instance = result.import_type, self.row_instance
        if getattr(result, "dropped", None):
            self.recorder.add(
                line=line,
                action=ImportRow.Action.SKIPPED,
                messages=[m for ms in result.dropped.values() for m in ms],
            )
        elif result.validation_error is not None or result.errors:
            found = [str(e.error) for e in result.errors]
            if result.validation_error is not None:
                found += [
                    m
                    for ms in self.messages(result.validation_error, line).values()
                    for m in ms
                ]
            self.recorder.add(
                line=line, action=ImportRow.Action.INVALID, messages=found
            )
        elif kind in (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE):
            after = snapshot(instance)
            new = kind == RowResult.IMPORT_TYPE_NEW
            self.recorder.add(
                line=line,
                action=ImportRow.Action.NEW if new else ImportRow.Action.UPDATE,
                obj=instance,
                before=None if new else changed(self.row_before or {}, after),
                after=after,
            )

    def messages(self, error: ValidationError, line: int) -> dict[str, list[str]]:
        """Every message naming the row and the column, in Chinese."""
        if not hasattr(error, "error_dict"):
            return {"": [f"第{line}行：{m}" for m in error.messages]}
        out: dict[str, list[str]] = {}
        for name, errors in error.message_dict.items():
            column = "" if name in ("__all__", "") else name
            if column and column not in self.import_columns():
                column = self.column_of(column)
            for message in errors:
                if message.startswith("第") and "行" in message[:8]:
                    text = message
                elif column:
                    text = f"第{line}行，“{column}”：{message}"
                else:
                    text = f"第{line}行：{message}"
                out.setdefault(column, []).append(text)
        return out

    @functools.cached_property
    def this_year(self) -> int:
        """Read once: a resource serves one import."""
        return timezone.localdate().year

    def plausibility(self, instance) -> list[str]:
        """Warnings that do not block the import: numbers worth a second look."""
        notes = []
        this_year = self.this_year
        for name in ("year", "start_year", "end_year"):
            year = getattr(instance, name, None)
            if isinstance(year, int) and year > this_year:
                notes.append(f"“{self.column_of(name)}”：{year}年还没有到，请核对")
        unit = unicodedata.normalize("NFKC", getattr(instance, "unit", "") or "")
        value = getattr(instance, "value", None)
        if unit == "%" and isinstance(value, Decimal) and value > 100:
            notes.append(
                f"“{self.column_of('value')}”：{instance.display}超过100%，请核对"
            )
        return notes

    # Whether imports.fast may run this resource's imports (lines of figures
    # and assistance; the models it writes have no save() of their own).
    fast_path = False

    def start_stream(self, headers) -> list[str]:
        """Before the first row, whichever way the rows come (imports.fast
        or a Dataset): the columns, checked, and the import's state reset."""
        self.seen_keys = {}
        return self.canonical_headers(headers)

    def import_data(self, dataset, *args, **kwargs):
        from imports.fast import FastImport

        if not kwargs.get("raise_errors"):
            return FastImport(
                self,
                dry_run=bool(kwargs.get("dry_run")),
                file_name=clean_text(kwargs.get("file_name") or "").strip(),
                user=kwargs.get("user"),
            ).run(dataset.headers, data_rows(dataset), total=len(dataset))
        return self.import_rows_slowly(dataset, *args, **kwargs)

    def import_rows_slowly(self, dataset, *args, **kwargs):
        """django-import-export's path: a row at a time."""
        kwargs.setdefault("rollback_on_validation_errors", not self.only_valid)
        kwargs.setdefault("use_transactions", True)
        self.user = kwargs.get("user") or self.user
        self.file_name = clean_text(kwargs.get("file_name") or "").strip()
        self.dry_run = bool(kwargs.get("dry_run"))
        self.touched = {}
        self.error_rows = 0
        return super().import_data(dataset, *args, **kwargs)

    # The trail ------------------------------------------------------------

    def trail_item(self, instance):
        """The item whose history a saved row belongs to: the program or story
        itself, or the program or story a line belongs to; None for regions
        and people, which keep no versions."""
        return None

    def save_instance(self, instance, is_create, row, **kwargs):
        item = None if self.dry_run else self.trail_item(instance)
        if item is not None and (item is not instance or not is_create):
            self.snapshot(item)
        super().save_instance(instance, is_create, row, **kwargs)
        if item is None or item.pk is None:
            return
        key = (type(item), item.pk)
        created, lines = self.touched.get(key, (False, 0))
        if item is instance:
            created = created or is_create
        else:
            lines += 1
        self.touched[key] = (created, lines)

    def snapshot(self, item) -> None:
        """Keep the state before the import, if no version kept it yet, so that
        an import can be undone from the item's history."""
        from editorial.services import snapshot_before_import

        key = (type(item), item.pk)
        if key not in self.touched:
            snapshot_before_import(type(item), item.pk, self.user)

    def import_message(self, key, created: bool, lines: int) -> str:
        name = f"“{self.file_name}”" if self.file_name else ""
        if lines:
            what = self._meta.model._meta.verbose_name
            return f"从文件{name}导入{what} {lines} 条"
        return f"从文件{name}导入（{'新建' if created else '修改'}）"

    def leave_trail(self, result) -> None:
        """A version (with its lines) and an audit entry for every program or
        story the import created or changed; nothing for unchanged rows."""
        if self.dry_run or not self.touched:
            return
        if result.has_errors():
            return
        if not self.only_valid and result.has_validation_errors():
            return
        from editorial.trail import record_imports

        messages: dict[type, dict[int, str]] = {}
        for (model, pk), (created, lines) in self.touched.items():
            message = self.import_message((model, pk), created, lines)
            messages.setdefault(model, {})[pk] = message
        for model, by_pk in messages.items():
            record_imports(model, by_pk, self.user)

    def handle_import_error(self, result, error, raise_errors=False):
        if not isinstance(error, SpreadsheetError):
            error = SpreadsheetError(f"无法导入：{error}")
        super().handle_import_error(result, error, raise_errors)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if self.recorder is not None and not self.dry_run:
            self.recorder.flush()
        self.leave_trail(result)
        result.dropped = [
            m
            for r in result.rows
            for ms in getattr(r, "dropped", {}).values()
            for m in ms
        ]
        result.warnings = [m for r in result.rows for m in getattr(r, "warnings", [])]

    # Export ---------------------------------------------------------------

    @property
    def shows_real_names(self) -> bool:
        """Exports show protected real names only to staff with the privacy
        permission (and to the command line, which only admins can run)."""
        return self.user is None or self.user.has_perm("privacy.view_real_names")

    def after_export(self, queryset, dataset, **kwargs):
        """No cell a spreadsheet would run as a formula, whatever the format, and
        no protected name for staff without the privacy permission."""
        from privacy.rules import redact_text, site_name_replacements

        mask = None
        if not self.shows_real_names:
            names = site_name_replacements()

            def mask(value):
                return redact_text(value, names) if isinstance(value, str) else value

        rows = [
            [escape_formula(mask(v) if mask else v) for v in row] for row in dataset
        ]
        headers = dataset.headers
        dataset.wipe()
        dataset.headers = headers
        for row in rows:
            dataset.append(row)


class PublishableResource(SpreadsheetResource):
    """Programs and stories: matched by slug, or by title and region when the
    sheet has no slug; status only changes through the editorial workflow."""

    unvalidated = ("slug", "created_by", "status", "published_at", "lock_version")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.deleted: dict | None = None
        self.recreating = False
        self.recreated: set[tuple[type, int]] = set()

    def required_columns(self) -> list[str]:
        return []

    def check_key_columns(self, headers) -> None:
        if "网址标识" not in headers and not {"标题", "地区代码"} <= set(headers):
            raise SpreadsheetError("缺少必需的列：网址标识（或者“标题”和“地区代码”）")

    def start_stream(self, headers) -> list[str]:
        headers = super().start_stream(headers)
        self.check_key_columns(headers)
        self.deleted = None
        self.recreating = False
        self.recreated = set()
        return headers

    def trail_item(self, instance):
        return instance

    def row_key(self, row) -> tuple:
        slug = header_key(row.get("网址标识"))
        if slug:
            return (slug,)
        return (header_key(row.get("标题")), header_key(row.get("地区代码")))

    def get_instance(self, instance_loader, row):
        self.recreating = False
        instance = self.find_instance(row)
        if instance is None:
            self.check_recreation(row)
        return instance

    def find_instance(self, row):
        model = self._meta.model
        slug = clean_text(row.get("网址标识")).strip()
        if slug:
            return model.objects.filter(slug=slug).first()
        title = clean_text(row.get("标题")).strip()
        region = clean_text(row.get("地区代码")).strip()
        if not (title and region):
            raise ValidationError({"网址标识": "没有网址标识时，须填写标题和地区代码"})
        matches = list(model.objects.filter(title=title, region__code=region)[:2])
        if len(matches) > 1:
            raise ValidationError(
                {"网址标识": "有不止一条标题和地区都相同的记录，请填写网址标识"}
            )
        return matches[0] if matches else None

    # Items deleted since ----------------------------------------------------

    def deleted_items(self) -> dict:
        """Deleted items the trash still holds, by slug and by (title, region
        id): an old file must not silently bring one back."""
        if self.deleted is None:
            from reversion.models import Version

            self.deleted = {}
            versions = Version.objects.get_deleted(self._meta.model)
            for version in versions.select_related("revision"):
                try:
                    data = json.loads(version.serialized_data)[0]["fields"]
                except (ValueError, KeyError, IndexError, TypeError):
                    continue
                when = timezone.localtime(version.revision.date_created)
                found = (data.get("title") or version.object_repr, when)
                if data.get("slug"):
                    self.deleted.setdefault(data["slug"], found)
                if data.get("title") and data.get("region"):
                    self.deleted.setdefault((data["title"], data["region"]), found)
        return self.deleted

    def deleted_match(self, row):
        deleted = self.deleted_items()
        if not deleted:
            return None
        slug = clean_text(row.get("网址标识")).strip()
        if slug:
            return deleted.get(slug)
        from programs.models import Region

        code = clean_text(row.get("地区代码")).strip()
        region = Region.objects.filter(code=code).values_list("pk", flat=True)
        title = clean_text(row.get("标题")).strip()
        return deleted.get((title, region.first()))

    def check_recreation(self, row) -> None:
        """A row matching a deleted item is a re-creation: refused unless the
        importer chose to re-create deleted items, and always pointed out."""
        self.recreating = False
        match = self.deleted_match(row)
        if match is None:
            return
        title, when = match
        what = self._meta.model._meta.verbose_name
        text = f"重新创建已删除的{what}“{title}”（{when:%Y-%m-%d}删除）"
        if not self.allow_recreate:
            raise ValidationError(
                {
                    "网址标识": f"{text}。如确要重新创建，请在上传时选择"
                    "“重新创建已删除的内容”；否则请从文件中删去这一行"
                }
            )
        self.recreating = True
        self.row_warnings.append(f"“网址标识”：{text}")

    def save_instance(self, instance, is_create, row, **kwargs):
        super().save_instance(instance, is_create, row, **kwargs)
        if is_create and self.recreating and instance.pk is not None:
            self.recreated.add((type(instance), instance.pk))

    def import_message(self, key, created: bool, lines: int) -> str:
        message = super().import_message(key, created, lines)
        if key in self.recreated:
            message += "，重新创建已删除的内容"
        return message

    def before_save_instance(self, instance, row, **kwargs):
        from programs.abstract import pinyin_slug

        if not instance.slug:
            instance.slug = pinyin_slug(instance.title, type(instance))
        if instance.pk is None and self.user is not None and self.user.pk:
            instance.created_by = self.user

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if not instance.slug and instance.title:
            from programs.abstract import pinyin_slug

            instance.slug = pinyin_slug(instance.title, type(instance))


# File formats -----------------------------------------------------------------


def max_upload_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)


DAMAGED = "文件已损坏，或者不是它的扩展名所说的格式。请在 Excel 或 WPS 中另存后再上传。"
# Real sheets compress perhaps twenty to one; a member that claims to unpack to
# hundreds of times its size is a zip bomb.
MAX_RATIO = 200


def check_archive(data: bytes) -> None:
    """Refuse a zip (XLSX, ODS) that would unpack to far more than its size, or
    whose XML declares a DTD or entities (billion laughs, external entities).

    zipfile never hands out more than a member's declared size, so the sizes
    checked here bound what the readers will unpack."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise SpreadsheetError(DAMAGED) from None
    too_big = SpreadsheetError("文件解压后过大，可能不是正常的表格文件。")
    if sum(info.file_size for info in members) > 20 * max_upload_bytes():
        raise too_big
    for info in members:
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise too_big
    for info in members:
        if info.filename.endswith((".xml", ".rels")):
            check_xml(archive, info)


def check_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Read a member's prolog with defusedxml: a DTD (and so any entity) can only
    come before the root element, and the readers never need one."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    try:
        with archive.open(info) as stream:
            for _event, _element in iterparse(
                stream, events=("start",), forbid_dtd=True
            ):
                break
    except DefusedXmlException:
        raise SpreadsheetError(
            "文件里含有不允许的 XML 声明（DTD 或实体），可能是恶意构造的文件，"
            "已拒绝。请在 Excel 或 WPS 中另存后再上传。"
        ) from None
    except Exception:
        raise SpreadsheetError(DAMAGED) from None


def decode_text(data: bytes) -> str:
    """CSV bytes in whatever encoding the office's software wrote them."""
    if isinstance(data, str):
        return data
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(
        "无法识别文件的文字编码。请在 Excel 中“另存为”“CSV UTF-8”或 XLSX 后再上传。"
    )


class CSV(base_formats.CSV):
    """CSV read in any of UTF-8 (with or without BOM), UTF-16 or GB18030, and
    written as UTF-8 with a BOM so that Excel opens it in Chinese."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        text = decode_text(in_stream)
        if "\x00" in text:
            raise SpreadsheetError("文件不是文本格式的 CSV。")
        rows = list(csv.reader(io.StringIO(text)))
        dataset = tablib.Dataset()
        if not rows:
            return dataset
        width = len(rows[0])
        dataset.headers = rows[0]
        for row in rows[1:]:
            dataset.append((row + [""] * width)[:width])
        return dataset

    def export_data(self, dataset, **kwargs):
        text = super().export_data(dataset, **kwargs)
        return codecs.BOM_UTF8 + text.encode("utf-8")


class XLSX(base_formats.XLSX):
    def create_dataset(self, in_stream):
        check_archive(in_stream)
        try:
            return super().create_dataset(in_stream)
        except SpreadsheetError:
            raise
        except Exception:
            raise SpreadsheetError(DAMAGED) from None


class XLS(base_formats.XLS):
    def create_dataset(self, in_stream):
        import xlrd

        try:
            book = xlrd.open_workbook(file_contents=in_stream)
        except Exception:
            raise SpreadsheetError(
                "文件已损坏，或者不是 XLS 格式。请在 Excel 或 WPS 中另存后再上传。"
            ) from None
        sheet = book.sheets()[0]
        dataset = tablib.Dataset()
        if not sheet.nrows:
            return dataset
        dataset.headers = sheet.row_values(0)
        for i in range(1, sheet.nrows):
            row = []
            for cell in sheet.row(i):
                if cell.ctype == xlrd.XL_CELL_DATE:
                    row.append(xlrd.xldate.xldate_as_datetime(cell.value, 0))
                else:
                    row.append(cell.value)
            dataset.append(row)
        return dataset


class ODS(base_formats.ODS):
    # django-import-export treats ODS as text; it is a zip archive.
    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        check_archive(in_stream)
        try:
            return tablib.import_set(in_stream, format="ods")
        except SpreadsheetError:
            raise
        except Exception:
            raise SpreadsheetError(DAMAGED) from None

    def export_data(self, dataset, **kwargs):
        return dataset.export("ods")


FORMATS = [XLSX, XLS, ODS, CSV]
