"""Addresses never carry a name.

A page's address is in every share, QR code, feed and search result, and
outlives any consent: a name in it cannot be redacted later. So a slug made
from a title has everyone's names replaced by a neutral word first, and a
typed slug that spells a name (in pinyin or initials) is refused.

The people come from the stories app, which registers how to look them up
(`find_names_with`, in stories/apps.py), so that this app never imports it.
"""

import re
from collections.abc import Callable, Iterable

from django.utils.translation import gettext as _

from privacy.spellings import (
    CHARACTER_GAP,
    KIND_INITIALS,
    NameChecker,
    Redactor,
    Spelling,
    converters,
    name_initials,
    to_simplified,
)

# What a name in a title becomes before its pinyin is made: mou-ren.
NEUTRAL_NAME = "某人"
# Chinese characters, in the basic block, extension A and the compatibility block.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Long enough for a compound surname with a two-character given name.
LONGEST_NAME = 6
SPACED = re.compile(rf"(?<=[{HAN}]){CHARACTER_GAP}(?=[{HAN}])")

# Looks up which of some strings are people's names (full names, or the given
# names of three-character ones), returning their real names.
NameFinder = Callable[[set[str]], Iterable[str]]
_finders: list[NameFinder] = []


def find_names_with(finder: NameFinder) -> None:
    if finder not in _finders:
        _finders.append(finder)


def candidate_names(text: str) -> set[str]:
    """Every run of two to six Chinese characters in the text, as written, in
    simplified and in traditional characters, and with the spaces or dots
    between characters left out (潘 长 君): what a name in it could be."""
    forms = {text, to_simplified(text), converters()[0].convert(text)}
    forms |= {SPACED.sub("", form) for form in forms}
    candidates = set()
    for form in forms:
        for run in re.findall(f"[{HAN}]{{2,}}", form):
            for start in range(len(run) - 1):
                for end in range(start + 2, min(start + LONGEST_NAME, len(run)) + 1):
                    candidates.add(run[start:end])
    return candidates


def people_named_in(text: str) -> set[str]:
    """The real names of anyone the portal knows whom the text names, by full
    name or (three characters and more) given name: a few queries, however
    many people there are."""
    candidates = candidate_names(text or "")
    if not candidates:
        return set()
    return {name for finder in _finders for name in finder(candidates)}


def without_names(title: str) -> str:
    """The title with every person's name in it replaced by 某人: what a slug
    is made from. Whether the person consents today does not matter; the
    address stays when a consent is withdrawn."""
    replacements = {}
    for name in people_named_in(title):
        replacements[name] = NEUTRAL_NAME
        if len(name) > 2:
            replacements[name[1:]] = NEUTRAL_NAME
    # Spaced-out given names too: in an address, a wrong 某人 costs nothing.
    return (
        Redactor(replacements, full_names=replacements)(title)
        if replacements
        else title
    )


def initials_in_slug(slug: str, names: Iterable[str]) -> list[Spelling]:
    """Initials written in a slug, in any case: one letter a word (p-c-j), or
    as one word of three letters or more (pcj), surname first or last."""
    lowered = slug.lower()
    shown = slug if len(lowered) == len(slug) else lowered
    found = []
    for name in names:
        letters = name_initials(name).lower()
        if len(letters) < 2 or not letters.isalpha():
            continue
        forms = []
        for order in dict.fromkeys([letters, letters[1:] + letters[0]]):
            forms.append("[-_]+".join(order))
            if len(order) > 2:
                forms.append(order)
        pattern = rf"(?<![a-z0-9])(?:{'|'.join(forms)})(?![a-z0-9])"
        found += [
            Spelling(name, shown[m.start() : m.end()], KIND_INITIALS)
            for m in re.finditer(pattern, lowered)
        ]
    return found


def slug_spellings(slug: str, names: Iterable[str]) -> list[Spelling]:
    """How a slug spells any of these names: in pinyin (pan-changjun,
    changjun-pan, panchangjun) or as initials (p-c-j, PCJ)."""
    names = {name: name for name in names if name}
    if not slug or not names:
        return []
    found = NameChecker(names).find(slug) + initials_in_slug(slug, names)
    return list({(s.name, s.found.lower()): s for s in found}.values())


def slug_errors(slug: str, *, title: str, names: Iterable[str]) -> list[str]:
    """Why a slug may not be used: it spells the name of one of `names` (the
    people the item concerns) or of anyone its title names."""
    everyone = set(names) | people_named_in(title)
    errors = []
    for spelling in slug_spellings(slug, everyone):
        error = _(
            "网址里不能有人名：“%(found)s”是%(name)s名字的%(kind)s写法。"
            "网址会出现在分享链接、二维码和搜索结果里，同意撤回后也无法收回；"
            "请改用不含人名的词，如 jindong-new-term，或者留空自动生成"
        ) % {"found": spelling.found, "name": spelling.name, "kind": spelling.kind}
        if error not in errors:
            errors.append(error)
    return errors
