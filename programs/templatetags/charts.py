"""Server-rendered charts for the public pages: inline SVG, no JavaScript.

A chart is an image to a screen reader (role="img"), so its title and description
carry the numbers in words; the bars are for sighted readers only. Indicator
names and periods are editors' free text: they go through redact_people like
every other text of a program, in the picture as in its words.
"""

from dataclasses import dataclass
from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from privacy.rules import redact_people
from programs.abstract import Qualifier
from programs.models import Figure, Indicator

register = template.Library()

WIDTH = 340  # viewBox width; the SVG itself is scaled to its container.
FONT = 14  # label size in viewBox units (matches .chart-label in site.css).
ROW = 34  # height of one bar row when the label sits beside the bar
BAR = 20
LABEL_MAX = 112  # wider period labels go above their bar instead
LEGEND = 28

# "4600多万元", "110余户", "超过80万元": the true number is larger than the one drawn,
# so a hatched piece extends the bar. "约", "近": the end of the bar is uncertain.
MORE_THAN = {Qualifier.MORE, Qualifier.ODD, Qualifier.OVER}


def text_width(text: str, size: float = FONT) -> float:
    """Rough width of a label: CJK characters are one em wide, digits about half."""
    return sum(size if ord(char) > 0x2E7F else size * 0.6 for char in text)


@dataclass
class Bar:
    label: str
    value: str
    label_y: float
    y: float
    width: float
    hatch_x: float
    hatch_width: float
    value_x: float
    value_y: float


def figure_label(figure: Figure) -> str:
    return redact_people(str(figure.when)) or _("时间未注明")


def trend(indicator: Indicator) -> str:
    """The direction of a series in one sentence: where it started, where it
    ended and, when the last figure is not the highest, where it peaked.

    Figures are compared by base value (2680万元 against 4600多万元); the words
    quote each figure as stated, so a 多 or 近 still qualifies the claim."""
    figures = indicator.figures
    if len(figures) < 2:
        return ""
    first, last = figures[0], figures[-1]
    values = {
        "first_when": figure_label(first),
        "first": first.display,
        "last_when": figure_label(last),
        "last": last.display,
    }
    if last.base_value > first.base_value:
        sentence = (
            _("从%(first_when)s的%(first)s增加到%(last_when)s的%(last)s") % values
        )
    elif last.base_value < first.base_value:
        sentence = (
            _("从%(first_when)s的%(first)s减少到%(last_when)s的%(last)s") % values
        )
    else:
        sentence = _("%(first_when)s和%(last_when)s都是%(last)s") % values
    peak = max(figures, key=lambda f: f.base_value)
    if len(figures) > 2 and peak.base_value > last.base_value:
        sentence += _("，最高为%(when)s的%(value)s") % {
            "when": figure_label(peak),
            "value": peak.display,
        }
    return sentence + _("。")


def describe(indicator: Indicator) -> str:
    """The chart's numbers in words, for screen readers: the trend, then every
    figure: "从2018年的2680万元增加到…。2018年：2680万元；…"."""
    parts = [f"{figure_label(f)}：{f.display}" for f in indicator.figures]
    values = "；".join(parts)
    return trend(indicator) + _("%(name)s，%(values)s。") % {
        "name": redact_people(indicator.name),
        "values": values,
    }


@register.inclusion_tag("includes/program_charts.html")
def program_charts(indicators: list[Indicator]) -> dict:
    """Every indicator of a program at a glance: a bar chart for each one with
    figures for two or more periods, a big number for each one with a single
    figure (one bar would say nothing the number does not)."""
    return {
        "series": [i for i in indicators if i.is_series],
        "singles": [i for i in indicators if not i.is_series and i.figures],
    }


@register.inclusion_tag("includes/indicator_chart.html")
def indicator_chart(indicator: Indicator) -> dict:
    """A horizontal bar chart of one indicator's figures, one bar per period.

    Bars are scaled to the largest base value (4600万元 is drawn as 46,000,000元),
    so figures stated in 元 and 万元 compare correctly. A single figure makes a
    chart of one bar.
    """
    figures = list(indicator.figures)
    labels = [figure_label(f) for f in figures]
    values = [f.display for f in figures]
    stacked = any(text_width(label) > LABEL_MAX for label in labels)
    widest = max((text_width(label) for label in labels), default=0)
    label_width = 0 if stacked else widest
    bar_x = 0 if stacked else label_width + 10
    value_width = max((text_width(value) for value in values), default=0) + 8
    span = WIDTH - bar_x - value_width
    any_approximate = any(not f.is_exact for f in figures)
    # Room for the hatched piece beyond the largest bar.
    extra = span * 0.08 if any(f.qualifier in MORE_THAN for f in figures) else 0
    scale_width = span - extra
    largest = max((max(f.base_value, Decimal(0)) for f in figures), default=Decimal(0))

    bars, y = [], 8.0
    for figure, label, value in zip(figures, labels, values, strict=True):
        label_y = y + FONT  # a stacked label sits on its own line above the bar
        if stacked:
            y += FONT + 6
        # Baseline of a line of text centred on the bar.
        middle = round(y + BAR / 2 + FONT * 0.36, 1)
        base = max(figure.base_value, Decimal(0))
        width = float(base / largest) * scale_width if largest else 0.0
        hatch_x, hatch_width = width, 0.0
        if figure.qualifier in MORE_THAN:
            hatch_width = extra
        elif not figure.is_exact:
            hatch_width = min(width, span * 0.08)
            hatch_x = width - hatch_width
        end = max(width, hatch_x + hatch_width)
        bars.append(
            Bar(
                label=label,
                value=value,
                label_y=round(label_y, 1) if stacked else middle,
                y=y,
                width=round(width, 1),
                hatch_x=round(bar_x + hatch_x, 1),
                hatch_width=round(hatch_width, 1),
                value_x=round(bar_x + end + 6, 1),
                value_y=middle,
            )
        )
        y += ROW
    height = y + (LEGEND if any_approximate else 0)
    chart_id = f"chart-{figures[0].pk}" if figures else "chart"
    return {
        "chart_id": chart_id,
        "title": redact_people(indicator.name),
        # The data table's rows: each figure with its bar's (redacted) label.
        "rows": list(zip(figures, labels, strict=True)),
        "description": describe(indicator),
        "bars": bars,
        "bar_x": round(bar_x, 1),
        "bar_height": BAR,
        "label_anchor_x": round(label_width, 1),
        "stacked": stacked,
        "width": WIDTH,
        "height": round(height, 1),
        "axis_bottom": round(y - ROW + BAR + 4, 1),
        "legend_y": round(y + 8, 1),
        "legend_text_y": round(y + 19, 1),
        "approximate": any_approximate,
    }
