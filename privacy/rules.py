"""What readers may learn about a person, decided in one place.

Every public output (pages, cards, feeds, sitemap, search, downloads) asks these
functions; none reads `Person.real_name` itself. Decisions are made per request
from the consents in force today, so a withdrawal takes effect on the next one.
"""

import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from privacy.models import Consent, Scope

# Helpers that pages about a story may reveal only with consent, by kind of line.
HEALTH_MEASURES = {"disability_allowance", "medical"}
HEALTH_CAUSES = {"illness", "disability"}
# 18-character resident ID numbers (the last may be X) never reach readers.
ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")


@dataclass
class Disclosure:
    """What readers see of one person in one story, and why."""

    name: str
    shows_real_name: bool
    is_child: bool
    scopes: set[str] = field(default_factory=set)
    reasons: list[str] = field(default_factory=list)

    def allows(self, scope: str) -> bool:
        return scope in self.scopes


def protected_form(person) -> str:
    """The name used when the real one may not be shown, per the person's policy."""
    from stories.models import Person

    surname = person.real_name[:1]
    if person.display_policy == Person.DisplayPolicy.PSEUDONYM and person.pseudonym:
        return person.pseudonym
    if person.display_policy == Person.DisplayPolicy.INITIALS:
        return (
            ".".join(lazy_pinyin(person.real_name, style=Style.FIRST_LETTER)).upper()
            + "."
        )
    return f"{surname}某"


def consents_in_force(person, today=None) -> list[Consent]:
    today = today or timezone.localdate()
    # Filtered in Python so that a prefetch of person.consents serves every call.
    return [
        c
        for c in person.consents.all()
        if c.given_on <= today and (c.withdrawn_on is None or c.withdrawn_on > today)
    ]


def disclose(person, *, story_date=None, today=None) -> Disclosure:
    from stories.models import Person

    today = today or timezone.localdate()
    dates = [d for d in (today, story_date, person.age_as_of) if d is not None]
    is_child = any(person.is_child_on(day) for day in dates)
    consents = consents_in_force(person, today)
    reasons = []
    if is_child:
        reasons.append(_("未满14周岁（按报道日期或今天计），只认监护人的同意"))
        consents = [c for c in consents if c.given_by == Consent.GivenBy.GUARDIAN]
    scopes = set().union(*(c.scopes for c in consents)) if consents else set()
    wants_real = person.display_policy == Person.DisplayPolicy.REAL_NAME
    if wants_real and Scope.REAL_NAME in scopes:
        reasons.append(_("有效的同意包括真实姓名"))
        return Disclosure(person.real_name, True, is_child, scopes, reasons)
    if not wants_real:
        reasons.append(
            _("显示方式为“%(policy)s”")
            % {"policy": person.get_display_policy_display()}
        )
    elif not consents:
        reasons.append(_("没有有效的同意记录"))
    else:
        reasons.append(_("同意记录不包括真实姓名"))
    return Disclosure(protected_form(person), False, is_child, scopes, reasons)


def line_scopes(measure: str) -> set[str]:
    """What consent a line of assistance needs from the people it concerns."""
    scopes = {Scope.FINANCIAL}
    if measure in HEALTH_MEASURES:
        scopes.add(Scope.HEALTH)
    return scopes


def scrub(text: str) -> str:
    return ID_NUMBER.sub(_("［身份证号已隐去］"), text)


def protect_household(member, disclosure: Disclosure) -> Disclosure:
    """A member of a protected child's household is shown by protected name,
    whatever they consented to: naming the grandfather names the boy."""
    if not disclosure.shows_real_name:
        return disclosure
    return Disclosure(
        protected_form(member),
        False,
        disclosure.is_child,
        disclosure.scopes,
        [*disclosure.reasons, _("与受保护的未成年人同户，姓名一并保护")],
    )
