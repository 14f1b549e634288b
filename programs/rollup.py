"""What the published programs of a region, and of every region below it, report,
put side by side and added up along the region tree.

The region page answers "how much did all of this add up to here?" honestly:
figures are put together only when they are the same indicator, in the same base
unit, for the same period, and they are added only when adding means something.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from programs.abstract import MAGNITUDES, Qualifier
from programs.models import Figure, Program, Region

# A share or a rate (70%, 参保率100%) is never added: two villages at 70% are not
# at 140%.
NON_ADDITIVE_UNITS = {"%", "‰", "个百分点", "百分点"}
# Averages, per-head and per-household numbers, standards and prices are not
# totals either: 人均增收2.5万元 in two villages is not 5万元 a head.
NON_ADDITIVE_WORDS = (
    "率",
    "比例",
    "比重",
    "占比",
    "人均",
    "户均",
    "每",
    "平均",
    "标准",
    "单价",
    "价格",
    "售价",
)

# What a sum of qualified numbers can honestly claim. 4600多万元 + 2680万元 is at
# least 7280万元 and a little more: 7280多万元. Numbers stated as lower bounds
# (多, 余, 超过) keep their word when all of them share it, and become 多 when
# they are mixed. 近 (a little under) summed with exact numbers stays 近. 约, or
# a lower bound mixed with 近, could lie either side: the total is only 约.
LOWER_BOUNDS = {Qualifier.MORE, Qualifier.ODD, Qualifier.OVER}


def total_qualifier(qualifiers: set[str]) -> str:
    inexact = qualifiers - {Qualifier.EXACT}
    if not inexact:
        return Qualifier.EXACT
    if len(inexact) == 1:
        return inexact.pop()
    if inexact <= LOWER_BOUNDS:
        return Qualifier.MORE
    return Qualifier.ABOUT


def is_additive(name: str, unit: str) -> bool:
    """Counts and amounts add up; shares, rates, averages and prices do not."""
    return unit not in NON_ADDITIVE_UNITS and not any(
        word in name for word in NON_ADDITIVE_WORDS
    )


def add_up(figures: list[Figure]) -> Figure:
    """The sum of figures of one indicator, as an unsaved Figure so that it is
    written exactly as a reported one would be (7280多万元, 1.74万多户).

    Figures in one unit are added in it; mixed units (248万元 and 1000元) are
    added as base values and written in the largest magnitude among them."""
    units = {f.unit for f in figures}
    if len(units) == 1:
        unit = units.pop()
        value = sum((f.value for f in figures), Decimal(0))
    else:
        unit = max(units, key=lambda u: MAGNITUDES.get(u[:1], 1) if len(u) > 1 else 1)
        value = sum((f.base_value for f in figures), Decimal(0))
        if len(unit) > 1 and unit[:1] in MAGNITUDES:
            value /= MAGNITUDES[unit[0]]
    qualifier = total_qualifier({f.qualifier for f in figures})
    inexact = [f for f in figures if not f.is_exact]
    return Figure(
        indicator=figures[0].indicator,
        value=value,
        unit=unit,
        qualifier=qualifier,
        # 1.24万多户 + 0.5万多户 is 1.74万多户: the word stays where they put it.
        qualifier_after_magnitude=bool(inexact)
        and all(f.qualifier_after_magnitude for f in inexact),
    )


@dataclass
class Contribution:
    """One program's figure for an indicator."""

    program: Program
    figure: Figure


@dataclass
class Branch:
    """What one child region's branch (or the region itself, when `region` is None)
    reports for an indicator: its own roll-up of that indicator."""

    region: Region | None
    contributions: list[Contribution]
    total: Figure | None = None


@dataclass
class RolledIndicator:
    """One indicator (name, base unit and period) across the programs of a region."""

    name: str
    unit: str
    when: str
    contributions: list[Contribution] = field(default_factory=list)
    branches: list[Branch] = field(default_factory=list)
    total: Figure | None = None
    # Why no total is given, when there is more than one figure.
    no_total_reason: str = ""

    @property
    def additive(self) -> bool:
        return is_additive(self.name, self.unit)

    @property
    def programs(self) -> list[Program]:
        return [c.program for c in self.contributions]


def nested(contributions: list[Contribution]) -> bool:
    """Whether one contributing program is a part of another: a county's figure
    for its whole drive already counts the village case filed under it, so the
    two are never added."""
    programs = {c.program.pk: c.program for c in contributions}
    for contribution in contributions:
        parent_id = contribution.program.parent_id
        seen = set()
        while parent_id is not None and parent_id not in seen:
            if parent_id in programs:
                return True
            seen.add(parent_id)
            parent = programs.get(parent_id)
            parent_id = parent.parent_id if parent else None
    return False


def total_of(
    name: str, unit: str, contributions: list[Contribution]
) -> tuple[Figure | None, str]:
    """The total of some contributions, or None and the reason there is none."""
    if not is_additive(name, unit):
        return None, _("比例、比率、人均数和标准不相加")
    if nested(contributions):
        return None, _("其中有项目是另一项目的一部分，数字可能重复，不相加")
    return add_up([c.figure for c in contributions]), ""


def figure_when(figure: Figure) -> str:
    when = str(figure.when)
    if figure.as_of:
        when = f"{when}（{figure.as_of.isoformat()}）" if when else str(figure.as_of)
    return when


def rollup(
    region: Region,
    branches: dict[int, int] | None = None,
    children: list[Region] | None = None,
) -> list[RolledIndicator]:
    """Every indicator the published programs in `region` and below report, with
    each child region's share and a total where adding is meaningful.

    Pass the region's `branches()` and `children` when the caller already has them
    (the region page does): then this costs one query, whatever the tree's size.
    """
    branches = region.branches() if branches is None else branches
    if children is None:
        children = list(region.children.all())
    child_by_id = {child.pk: child for child in children}
    figures = (
        Figure.objects.filter(
            program__in=Program.objects.published().filter(
                region__in=[region.pk, *branches]
            )
        )
        .select_related("program__region")
        .order_by("program__region__level", "program__title", "order", "pk")
    )
    groups: dict[tuple, RolledIndicator] = {}
    for figure in figures:
        key = (
            figure.indicator,
            figure.base_unit,
            figure.year,
            figure.period_label,
            figure.as_of,
        )
        if key not in groups:
            groups[key] = RolledIndicator(
                name=figure.indicator, unit=figure.base_unit, when=figure_when(figure)
            )
        groups[key].contributions.append(Contribution(figure.program, figure))

    for indicator in groups.values():
        by_branch: dict[int | None, list[Contribution]] = defaultdict(list)
        for contribution in indicator.contributions:
            by_branch[branches.get(contribution.program.region_id)].append(contribution)
        # Reports of the region itself first, then its children in their order.
        order = {branch_id: n for n, branch_id in enumerate([None, *child_by_id])}
        for branch_id in sorted(by_branch, key=lambda b: order.get(b, len(order))):
            parts = by_branch[branch_id]
            total, _reason = total_of(indicator.name, indicator.unit, parts)
            indicator.branches.append(Branch(child_by_id.get(branch_id), parts, total))
        # In the tree's order: the region's own programs, then each branch's.
        indicator.contributions = [
            part for branch in indicator.branches for part in branch.contributions
        ]
        indicator.total, indicator.no_total_reason = total_of(
            indicator.name, indicator.unit, indicator.contributions
        )
    # Indicators several programs report first: they are what a roll-up is for.
    return sorted(groups.values(), key=lambda i: -len(i.contributions))
