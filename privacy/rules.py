"""What readers may learn about a person, decided in one place.

Every public output (pages, cards, feeds, sitemap, search, downloads) asks these
functions; none reads `Person.real_name` itself. Decisions are made per request
from the consents in force today, so a withdrawal takes effect on the next one.
"""

import re
from contextvars import ContextVar
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


# Characters read differently in names than pypinyin's everyday guess: as a
# surname (曾 Zēng, not céng) and within a given name (长 Cháng, not zhǎng).
SURNAME_INITIALS = {
    "曾": "Z",
    "单": "S",
    "解": "X",
    "查": "Z",
    "朴": "P",
    "仇": "Q",
    "覃": "Q",
    "区": "O",
    "盖": "G",
    "尉": "Y",
    "缪": "M",
    "翟": "Z",
    "员": "Y",
    "重": "C",
}
GIVEN_NAME_INITIALS = {"长": "C", "朝": "Z", "行": "X", "乐": "L"}


def initials(name: str) -> str:
    """Pinyin initials of a name, one a character: 潘长君 → P.C.J.; a name in
    Latin letters gives one initial a word."""
    readings = lazy_pinyin(
        name, style=Style.FIRST_LETTER, errors=lambda chars: list(chars)
    )
    if len(readings) != len(name):
        readings = list(name)
    letters = []
    for index, (char, reading) in enumerate(zip(name, readings, strict=True)):
        if "\u4e00" <= char <= "\u9fff":
            table = SURNAME_INITIALS if index == 0 else GIVEN_NAME_INITIALS
            letters.append(table.get(char) or reading[:1].upper())
        elif char.isalpha() and (index == 0 or not name[index - 1].isalpha()):
            letters.append(char.upper())
    return ".".join(letters) + "." if letters else "某"


def protected_form(person) -> str:
    """The name used when the real one may not be shown, per the person's policy."""
    from stories.models import Person

    surname = person.real_name[:1]
    if person.display_policy == Person.DisplayPolicy.PSEUDONYM and person.pseudonym:
        return person.pseudonym
    if person.display_policy == Person.DisplayPolicy.INITIALS:
        return initials(person.real_name)
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


# Within one request the answer cannot change: privacy.middleware starts each
# request with an empty memo, so a withdrawal still counts from the next one.
_memo: ContextVar[dict | None] = ContextVar("site_name_replacements", default=None)


def site_name_replacements() -> dict[str, str]:
    """Every protected name any story replaces, for text that belongs to no one
    story (a program's summary and body, a region's description): a name one
    story must protect is protected there too."""
    memo = _memo.get()
    if memo is not None:
        if "names" not in memo:
            memo["names"] = kept_site_names()
        return memo["names"]
    return _site_name_replacements()


def kept_site_names() -> dict[str, str]:
    """Worked out once per change to the content, not per request: it reads
    every story that features anyone. Saving a person, a consent or a story
    makes a new generation; a consent's start or end date ends the memo. Kept
    in this process only: real names never go to a shared cache."""
    from pagecache.store import process_memo

    return process_memo("site-name-replacements", _site_name_replacements)


def _site_name_replacements() -> dict[str, str]:
    from stories.models import Story, StoryPerson

    replacements: dict[str, str] = {}
    # Only stories that feature someone have names to protect, and only the
    # dates that decide who counts as a child are needed of them.
    stories = (
        Story.objects.filter(pk__in=StoryPerson.objects.values("story_id"))
        .only("pk", "source_date", "published_at")
        .prefetch_related("people__consents", "people__household__members__consents")
        .order_by()
    )
    for story in stories.iterator(chunk_size=2000):
        replacements.update(story.name_replacements)
    return replacements


def redact_text(text: str, replacements: dict[str, str]) -> str:
    """Replace real names, longest first (潘长君 before 长君), and scrub ID numbers."""
    for real, public in sorted(replacements.items(), key=lambda r: -len(r[0])):
        text = text.replace(real, public)
    return scrub(text)


def fresh_request_memo():
    """Start a request's memo; returns the token to reset it with."""
    return _memo.set({})


def end_request_memo(token) -> None:
    _memo.reset(token)
