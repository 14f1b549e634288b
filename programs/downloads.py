"""Readers' downloads: a program's figures, and (stories/downloads.py) the
assistance lines of a story list, as CSV and JSON.

A download is a public page in another shape: it holds exactly what the page shows
(the same published items, the same redacted names, the same “4600多万元”), plus
where each number comes from.
"""

import csv
import io
import json
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from privacy.rules import redact_people
from programs.abstract import QUALIFIER_PREFIX, QUALIFIER_SUFFIX
from programs.models import Figure, Program
from programs.spreadsheets import escape_formula

SITE_NAME = gettext_lazy("扶贫故事")
LICENSE_NOTE = gettext_lazy(
    "数字按所列来源报道的原文记录，保留“多”“余”“超过”“约”“近”等说法。"
    "引用时请注明原始来源和本网页地址。人物姓名按本网站的隐私规则处理，"
    "未获同意公开的内容不在其中。"
)
# JSON numbers are read as binary floats by most programs: a value with more
# significant digits than a double keeps exactly is given as a string instead.
FLOAT_SAFE_DIGITS = 15


def qualifier_word(qualifier: str) -> str:
    """多, 余, 超过, 约 or 近 as the source wrote it; empty for an exact number."""
    return QUALIFIER_PREFIX.get(qualifier) or QUALIFIER_SUFFIX.get(qualifier) or ""


def plain_number(value: Decimal) -> str:
    """4600.0000 → "4600", 407.8600 → "407.86": no exponent, no grouping."""
    text = f"{value.normalize():f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def json_number(value: Decimal) -> int | float | str:
    text = plain_number(value)
    if len(text.lstrip("-").replace(".", "").lstrip("0")) > FLOAT_SAFE_DIGITS:
        return text
    return int(text) if "." not in text else float(text)


def day(value) -> str:
    return value.isoformat() if value else ""


def download_name(title: str, extension: str) -> str:
    """港南区教育扶贫-数据-2026-11-28.csv: what a reader would save it as."""
    return f"{title}-{timezone.localdate().isoformat()}.{extension}"


def csv_response(
    filename: str, columns: list[tuple[str, str]], records: Iterable[dict]
) -> HttpResponse:
    """A CSV of `records` with Chinese headers, for Excel as much as for code.

    UTF-8 with a byte-order mark, or Excel on Chinese Windows reads it as GBK;
    text that a spreadsheet would run as a formula (=, +, -, @…) is quoted by
    the same rule as the staff exports. Numbers are written by plain_number and
    are never formulas, so they stay numbers."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([str(label) for _key, label in columns])
    for record in records:
        writer.writerow(
            [
                plain_number(value)
                if isinstance(value, Decimal)
                else escape_formula(str(value))
                for value in (cell(record, key) for key, _label in columns)
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def cell(record: dict, key: str):
    """A column's value: dotted keys reach into nested objects (source.url)."""
    value = record
    for part in key.split("."):
        value = value.get(part, "") if isinstance(value, dict) else ""
    return "" if value is None else value


def json_response(filename: str, payload: dict) -> HttpResponse:
    def default(value):
        if isinstance(value, Decimal):
            return json_number(value)
        return str(value)  # lazy translations

    text = json.dumps(payload, ensure_ascii=False, indent=2, default=default)
    response = HttpResponse(text, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def envelope(request: HttpRequest, page_url: str, filters: dict, records) -> dict:
    """The top level of every JSON download: where it comes from, when, on what
    terms, for which filters, and the records."""
    return {
        "source": {
            "site": str(SITE_NAME),
            "page": request.build_absolute_uri(page_url),
        },
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "license": str(LICENSE_NOTE),
        "filters": filters,
        "count": len(records),
        "records": records,
    }


# A program's figures ------------------------------------------------------------

FIGURE_COLUMNS = [
    ("program", gettext_lazy("项目")),
    ("indicator", gettext_lazy("指标")),
    ("value", gettext_lazy("数值")),
    ("unit", gettext_lazy("单位")),
    ("qualifier_word", gettext_lazy("修饰")),
    ("display", gettext_lazy("原文写法")),
    ("period", gettext_lazy("统计期")),
    ("year", gettext_lazy("年份")),
    ("as_of", gettext_lazy("截至日期")),
    ("source.note", gettext_lazy("出处")),
    ("source.publication", gettext_lazy("来源媒体")),
    ("source.byline", gettext_lazy("来源署名")),
    ("source.date", gettext_lazy("来源日期")),
    ("source.url", gettext_lazy("网页")),
]


def figure_record(figure: Figure, program: Program, page: str) -> dict:
    """One figure as the program page shows it, with its source."""
    return {
        "program": redact_people(program.title),
        "indicator": redact_people(figure.indicator),
        "value": figure.value,
        "unit": figure.unit,
        "qualifier": figure.qualifier,
        "qualifier_word": qualifier_word(figure.qualifier),
        "display": figure.display,
        "period": redact_people(str(figure.when)),
        "year": figure.year,
        "as_of": day(figure.as_of),
        "source": {
            # The page's 出处 column: the figure's own note, else the program's.
            "note": redact_people(figure.source_note or program.source_publication),
            "publication": redact_people(program.source_publication),
            "byline": redact_people(program.source_byline),
            "date": day(program.source_date),
            "url": page,
        },
    }


def program_figures(request: HttpRequest, slug: str) -> tuple[Program, list[dict]]:
    program = get_object_or_404(
        Program.objects.published().prefetch_related("figures"), slug=slug
    )
    page = request.build_absolute_uri(program.get_absolute_url())
    return program, [figure_record(f, program, page) for f in program.figures.all()]


def figures_filename(program: Program, extension: str) -> str:
    return download_name(
        _("%(title)s-数据") % {"title": redact_people(program.title)}, extension
    )


def figures_csv(request: HttpRequest, slug: str) -> HttpResponse:
    program, records = program_figures(request, slug)
    return csv_response(figures_filename(program, "csv"), FIGURE_COLUMNS, records)


def figures_json(request: HttpRequest, slug: str) -> HttpResponse:
    program, records = program_figures(request, slug)
    payload = envelope(
        request, program.get_absolute_url(), {"program": program.slug}, records
    )
    return json_response(figures_filename(program, "json"), payload)
