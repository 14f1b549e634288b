"""What readers may learn about a person, decided in one place.

Every public output (pages, cards, feeds, sitemap, search, downloads) asks these
functions; none reads `Person.real_name` itself. Decisions are made per request
from the consents in force today, so a withdrawal takes effect on the next one.

Everyone a story concerns counts: the people it features, those who received
its assistance or are named in its outcomes, those shown in its photos, and the
members of all their households. The rules take people as objects with the
fields of `stories.Person` (and their consents and households prefetched); this
app does not import the stories app, which uses it.
"""

import re
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property

from django.utils import timezone
from django.utils.translation import gettext as _

from privacy.models import Consent, DisplayPolicy, Scope
from privacy.spellings import NameChecker, Redactor, Spelling, initials

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


def is_child_on_any(person, days) -> bool:
    return any(person.is_child_on(day) for day in days if day is not None)


def protected_form(person, *, is_child: bool | None = None) -> str:
    """The name used when the real one may not be shown, per the person's
    policy. A child never gets initials: they are as good as the name in a
    village where everyone knows the family."""
    if is_child is None:
        is_child = is_child_on_any(person, [timezone.localdate(), person.age_as_of])
    if person.display_policy == DisplayPolicy.PSEUDONYM and person.pseudonym:
        return person.pseudonym
    if person.display_policy == DisplayPolicy.INITIALS and not is_child:
        return initials(person.real_name)
    return f"{person.real_name[:1]}某"


def consents_in_force(person, today=None) -> list[Consent]:
    today = today or timezone.localdate()
    # Filtered in Python so that a prefetch of person.consents serves every call.
    return [
        c
        for c in person.consents.all()
        if c.given_on <= today and (c.withdrawn_on is None or c.withdrawn_on > today)
    ]


def disclose(person, *, story_date=None, today=None) -> Disclosure:
    today = today or timezone.localdate()
    is_child = is_child_on_any(person, [today, story_date, person.age_as_of])
    consents = consents_in_force(person, today)
    reasons = []
    if is_child:
        reasons.append(_("未满14周岁（按报道日期或今天计），只认监护人的同意"))
        consents = [c for c in consents if c.given_by == Consent.GivenBy.GUARDIAN]
    scopes = set().union(*(c.scopes for c in consents)) if consents else set()
    wants_real = person.display_policy == DisplayPolicy.REAL_NAME
    if wants_real and Scope.REAL_NAME in scopes:
        reasons.append(_("有效的同意包括真实姓名"))
        return Disclosure(person.real_name, True, is_child, scopes, reasons)
    if not wants_real:
        reasons.append(
            _("显示方式为“%(policy)s”")
            % {"policy": DisplayPolicy(person.display_policy).label}
        )
    elif not consents:
        reasons.append(_("没有有效的同意记录"))
    else:
        reasons.append(_("同意记录不包括真实姓名"))
    return Disclosure(
        protected_form(person, is_child=is_child), False, is_child, scopes, reasons
    )


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


def disclose_all(people: Iterable, *, story_date) -> tuple[dict, dict]:
    """What readers may see of each of a story's people, by id, and the people
    themselves, by id: ({pk: Disclosure}, {pk: person}).

    A protected child's household is protected with him, whoever of it the
    story concerns: "his grandfather 潘蔼章" would name the boy as surely as
    his own name would, and a story about the grandfather alone still must
    not name the boy. Members the story does not concern are included then,
    so that their names are replaced wherever the text mentions them."""
    people = {p.pk: p for p in people}
    shown = {pk: disclose(p, story_date=story_date) for pk, p in people.items()}
    households = {p.household_id: p.household for p in people.values()}
    for household in households.values():
        if household is None:
            continue
        members = list(household.members.all())
        for member in members:
            if member.pk not in shown:
                shown[member.pk] = disclose(member, story_date=story_date)
        if any(
            shown[m.pk].is_child and not shown[m.pk].shows_real_name for m in members
        ):
            for member in members:
                shown[member.pk] = protect_household(member, shown[member.pk])
                people.setdefault(member.pk, member)
    return {pk: d for pk, d in shown.items() if pk in people}, people


def reviewed_form(disclosures: dict) -> dict[str, dict]:
    """What readers see of each person, as kept when a reviewer publishes."""
    return {
        str(pk): {
            "name": d.name,
            "real": d.shows_real_name,
            "scopes": sorted(d.scopes),
        }
        for pk, d in disclosures.items()
    }


def scope_labels(scopes) -> str:
    return "、".join(str(Scope(scope).label) for scope in sorted(scopes))


def changes_since_review(
    reviewed: dict, disclosures: dict, people: dict
) -> tuple[list[str], list[str]]:
    """(less, more): how what readers see of a story's people now differs from
    what a reviewer approved. Less: a consent covers less than it did (prose
    may hold what the person no longer allows). More: a name shown that was
    protected, a protected name changed, a consent covering more."""
    less, more = [], []
    for pk, now in disclosures.items():
        name = people[pk].real_name
        before = reviewed.get(str(pk))
        if before is None:
            if now.shows_real_name:
                more.append(
                    _("%(name)s：新出现在故事里，以真实姓名显示") % {"name": name}
                )
            continue
        if lost := set(before["scopes"]) - now.scopes:
            less.append(
                _("%(name)s：同意不再包括%(scopes)s")
                % {"name": name, "scopes": scope_labels(lost)}
            )
        if now.shows_real_name and not before["real"]:
            more.append(
                _("%(name)s：读者将看到真实姓名（审核时显示为“%(was)s”）")
                % {"name": name, "was": before["name"]}
            )
        elif (
            not now.shows_real_name
            and not before["real"]
            and now.name != before["name"]
        ):
            more.append(
                _("%(name)s：对读者的称呼由“%(was)s”改为“%(now)s”")
                % {"name": name, "was": before["name"], "now": now.name}
            )
        if gained := now.scopes - set(before["scopes"]):
            more.append(
                _("%(name)s：同意新增了%(scopes)s")
                % {"name": name, "scopes": scope_labels(gained)}
            )
    return less, more


def consents_end(people: Iterable, *, story_date, today=None):
    """The first day on which a consent in force today ends and leaves one of
    these people covering less than today, or None."""
    today = today or timezone.localdate()
    people = list(people)
    now = {p.pk: disclose(p, story_date=story_date, today=today).scopes for p in people}
    days = sorted(
        {
            c.withdrawn_on
            for p in people
            for c in consents_in_force(p, today)
            if c.withdrawn_on is not None
        }
    )
    for day in days:
        for person in people:
            later = disclose(person, story_date=story_date, today=day).scopes
            if not later >= now[person.pk]:
                return day
    return None


def line_scopes(measure: str) -> set[str]:
    """What consent a line of assistance needs from the people it concerns."""
    scopes = {Scope.FINANCIAL}
    if measure in HEALTH_MEASURES:
        scopes.add(Scope.HEALTH)
    return scopes


def scrub(text: str) -> str:
    return ID_NUMBER.sub(_("［身份证号已隐去］"), text)


class ProtectedNames(dict):
    """Real names (and the given names of three-character ones) → what readers
    see instead, with a Redactor that catches every form of them that keeps
    their characters. Build it, then use it: the Redactor is made once."""

    def __init__(self):
        super().__init__()
        self.full_names: dict[str, str] = {}

    def protect(self, real_name: str, public: str) -> None:
        self[real_name] = self.full_names[real_name] = public
        if len(real_name) > 2:
            # A given name alone (长君) identifies a child just as well.
            self[real_name[1:]] = public

    def update_from(self, other: "ProtectedNames") -> None:
        self.update(other)
        self.full_names.update(other.full_names)

    @cached_property
    def redactor(self) -> Redactor:
        return Redactor(self, self.full_names)

    @cached_property
    def checker(self) -> NameChecker:
        return NameChecker(self.full_names, self.redactor)

    def unsafe_spellings(self, text: str) -> list[Spelling]:
        """What of these names the Redactor would leave in the text: pinyin,
        initials, oddly split characters (privacy.spellings)."""
        return self.checker(text)

    def redact_everything(self, text: str) -> str:
        """Every spelling replaced, pinyin and initials too: for the search
        index, which must never find a protected person however written."""
        return scrub(self.checker.replace(text)) if text else text


def names_to_protect(disclosures: dict, people: dict) -> ProtectedNames:
    """The names a story replaces: those of everyone it may not name."""
    names = ProtectedNames()
    for pk, disclosure in disclosures.items():
        if not disclosure.shows_real_name:
            names.protect(people[pk].real_name, disclosure.name)
    return names


def redact_text(text: str, replacements: dict[str, str]) -> str:
    """Replace real names in any form that keeps their characters, longest
    first (潘长君 before 长君), and scrub ID numbers."""
    if not text:
        return text
    redactor = (
        replacements.redactor
        if isinstance(replacements, ProtectedNames)
        else Redactor(replacements)
    )
    return scrub(redactor(text))


# -- the whole site's protected names -----------------------------------------

# Where the names come from: the stories app registers the function that reads
# every story (stories/apps.py), so that this app never imports it.
_name_sources: list[Callable[[], ProtectedNames]] = []


def protect_names_from(source: Callable[[], ProtectedNames]) -> None:
    if source not in _name_sources:
        _name_sources.append(source)


# Within one request the answer cannot change: privacy.middleware starts each
# request with an empty memo, so a withdrawal still counts from the next one.
_memo: ContextVar[dict | None] = ContextVar("site_name_replacements", default=None)


def site_name_replacements() -> ProtectedNames:
    """Every protected name any story replaces, for text that belongs to no one
    story (a program's summary and body, a region's description): a name one
    story must protect is protected there too."""
    memo = _memo.get()
    if memo is None:
        return kept_site_names()
    if "names" not in memo:
        memo["names"] = kept_site_names()
    return memo["names"]


# How the names are kept between requests: the page cache registers its
# process memo (pagecache/apps.py); without one they are worked out each time.
_keeper: Callable | None = None


def keep_names_with(keeper: Callable) -> None:
    global _keeper
    _keeper = keeper


def kept_site_names() -> ProtectedNames:
    """Worked out once per change to the content, not per request: it reads
    every story that concerns anyone. Saving a person, a consent or a story
    makes a new generation; a consent's start or end date ends the memo. Kept
    in this process only: real names never go to a shared cache."""
    if _keeper is None:
        return _site_name_replacements()
    return _keeper("site-name-replacements", _site_name_replacements)


def redact_people(text) -> str:
    """Text that belongs to no one story (a program's title, summary or body) as
    readers may see it: every name any story protects is replaced there too."""
    if not text:
        return text
    return redact_text(str(text), site_name_replacements())


def _site_name_replacements() -> ProtectedNames:
    names = ProtectedNames()
    for source in _name_sources:
        names.update_from(source())
    return names


def fresh_request_memo():
    """Start a request's memo; returns the token to reset it with."""
    return _memo.set({})


def end_request_memo(token) -> None:
    _memo.reset(token)
