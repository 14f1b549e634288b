"""Every way a protected name can be written, and what can be done about each.

A name written in its own characters can be replaced wherever it appears, in
simplified or traditional characters and with spaces or dots between them
(潘长君, 潘長君, 潘 长 君): readers then see the protected form, and
`Redactor` does that at render. A name written in pinyin or as initials
(Pan Changjun, changjun-pan, P.C.J.) cannot be replaced safely: the same
letters may be another word, and any replacement reads as nonsense in an
English phrase. `unsafe_spellings` finds those, so that submission and
publication stop until an editor rewrites the text.
"""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache

import opencc
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin, pinyin

# Between the characters of a name, what render-time replacement still treats
# as the name: spaces (half and full width) and the dots and dashes people use
# to space out a name. Commas and full stops are left alone: "长，君" is two words.
CHARACTER_GAP = r"[ \t\u3000·•・\-_.]{0,2}"
# What the check at submission also counts as a gap: any run of up to three
# characters that are neither letters nor digits (潘，长，君).
BROAD_GAP = r"[^\w]{0,3}"
# Between the syllables of a name in pinyin: Pan Changjun, pan-chang-jun, Pan'an.
SYLLABLE_GAP = r"[\s\-_.'’·]*"

KIND_CHARACTERS = _("汉字（含繁体或加了空格、标点）")
KIND_PINYIN = _("拼音")
KIND_INITIALS = _("拼音首字母")


@cache
def converters() -> list[opencc.OpenCC]:
    """OpenCC's simplified↔traditional converters, Taiwan and Hong Kong forms
    included. Loading one reads its dictionaries, so each is made once."""
    return [opencc.OpenCC(config) for config in ("s2t", "s2tw", "s2hk", "t2s")]


@lru_cache(maxsize=8192)
def char_forms(char: str) -> str:
    """A character with its traditional and simplified forms: 长 → 长長."""
    forms = {char}
    for converter in converters():
        converted = converter.convert(char)
        if len(converted) == 1:
            forms.add(converted)
    return "".join(sorted(forms))


@lru_cache(maxsize=8192)
def to_simplified(text: str) -> str:
    return converters()[-1].convert(text)


def character_pattern(name: str, gap: str = CHARACTER_GAP) -> str:
    """A regular expression for a name in its own characters, any of them
    traditional, with `gap` allowed between them."""
    parts = []
    for char in name:
        forms = char_forms(char)
        parts.append(f"[{re.escape(forms)}]" if len(forms) > 1 else re.escape(forms))
    return gap.join(parts)


@lru_cache(maxsize=512)
def compiled_alternation(keys: tuple[tuple[str, bool], ...]) -> re.Pattern:
    """One pattern for several names, each in a group of its own (its number
    tells which matched); longer names first, so 潘长君 wins over 长君."""
    return re.compile(
        "|".join(
            f"({character_pattern(key, CHARACTER_GAP if spaced else '')})"
            for key, spaced in keys
        )
    )


@dataclass(frozen=True)
class Spelling:
    """A protected person's name found in a text in a form readers would know."""

    name: str
    found: str
    kind: str


class Redactor:
    """Replaces each real name (or given name) in `replacements` by what readers
    see instead, in every form that keeps its characters.

    Only the names whose first character (in any form) occurs in a text are
    tried on it, so one Redactor serves the whole site's names as cheaply as
    one story's."""

    def __init__(self, replacements: dict[str, str], full_names=None):
        self.replacements = replacements
        # Spaced-out forms (潘 长 君) only for full names: "长 君" alone is as
        # likely two words.
        self.full_names = set(replacements if full_names is None else full_names)
        self.by_first: dict[str, list[str]] = defaultdict(list)
        for key in replacements:
            if key:
                for form in char_forms(key[0]):
                    self.by_first[form].append(key)

    def __call__(self, text: str) -> str:
        found = self.pattern_for(text)
        if found is None:
            return text
        pattern, ordered = found
        return pattern.sub(
            lambda match: self.replacements[ordered[match.lastindex - 1][0]], text
        )

    def find(self, text: str) -> list[Spelling]:
        """Each place the text writes one of the names in its characters."""
        found = self.pattern_for(text)
        if found is None:
            return []
        pattern, ordered = found
        return [
            Spelling(ordered[m.lastindex - 1][0], m.group(), KIND_CHARACTERS)
            for m in pattern.finditer(text)
        ]

    def pattern_for(self, text: str):
        """(pattern, keys) for the names whose first character the text has."""
        if not text or not self.by_first:
            return None
        keys = {
            key
            for char in set(text) & self.by_first.keys()
            for key in self.by_first[char]
        }
        if not keys:
            return None
        ordered = tuple(
            sorted(
                ((k, k in self.full_names) for k in keys),
                key=lambda k: (-len(k[0]), k[0]),
            )
        )
        return compiled_alternation(ordered), ordered


# -- pinyin and initials -------------------------------------------------------


def latin_folded(text: str) -> str:
    """Lower case without tone marks, one character for one (ǚ → u), so that
    positions in it are positions in the text."""
    return "".join(
        unicodedata.normalize("NFKD", char)[0].lower()
        if ord(char) > 127
        else char.lower()
        for char in text
    )


def syllable_pattern(readings: list[str]) -> str:
    """Any reading of one character, as people type it: lü as lü, lu, lv or lyu."""
    written = set()
    for reading in readings:
        if "v" in reading:
            written.update(reading.replace("v", form) for form in ("v", "u", "yu"))
        else:
            written.add(reading)
    return "(?:" + "|".join(sorted(written, key=len, reverse=True)) + ")"


@lru_cache(maxsize=8192)
def pinyin_pattern(name: str) -> re.Pattern | None:
    """A name in pinyin, with or without tones, spaces, hyphens or capitals,
    surname first or last: Pan Changjun, PAN Chang-jun, Changjun Pan,
    panchangjun. A three-character name's given name alone counts when written
    as one word (Changjun)."""
    readings = pinyin(name, style=Style.NORMAL, heteronym=True, errors=lambda c: [])
    if len(readings) != len(name) or len(name) < 2:
        return None
    syllables = [syllable_pattern(r) for r in readings]
    surname, given = syllables[0], syllables[1:]
    forms = [
        SYLLABLE_GAP.join(syllables),
        SYLLABLE_GAP.join(given) + SYLLABLE_GAP + surname,
    ]
    if len(given) > 1:
        forms.append(r"[\-']?".join(given))
    return re.compile(rf"(?<![a-z])(?:{'|'.join(forms)})(?![a-z])")


@lru_cache(maxsize=8192)
def initials_pattern(letters: str) -> re.Pattern | None:
    """Initials as capitals: P.C.J., P. C. J. or PCJ; two letters only with
    their dots (Y.L.), as two bare capitals are too often something else."""
    if len(letters) < 2:
        return None
    dotted = r"\.\s?".join(letters) + r"\.?"
    forms = [dotted] if len(letters) == 2 else [dotted, letters]
    return re.compile(rf"(?<![A-Za-z])(?:{'|'.join(forms)})(?![A-Za-z])")


@lru_cache(maxsize=8192)
def name_syllables(name: str) -> tuple[str, ...]:
    """Every reading of a name's first two characters, as folded Latin text
    starts them (a name in pinyin begins with its surname or its given name)."""
    readings = pinyin(name[:2], style=Style.NORMAL, heteronym=True, errors=lambda c: [])
    written = set()
    for reading in (r for char in readings for r in char):
        written.update({reading, reading.replace("v", "u"), reading.replace("v", "yu")})
    return tuple(written)


class NameChecker:
    """Finds the `names` ({real name: what readers see}) in a text in the forms
    the Redactor `redact` leaves: pinyin, initials, and characters split or
    written in a way it does not catch (潘，长，君).

    Only names a text could spell are tried on it (by first character, first
    syllables or capitals), so one checker serves the whole site's names."""

    def __init__(self, names: dict[str, str], redact=None):
        self.names = names
        self.redact = redact
        self.by_char: dict[str, list[str]] = defaultdict(list)
        self.by_syllable: dict[str, list[str]] = defaultdict(list)
        self.by_letters: dict[str, list[str]] = defaultdict(list)
        for name in names:
            for form in char_forms(name[0]):
                self.by_char[form].append(name)

    def _index_latin(self) -> None:
        # Worked out only once a text with Latin letters comes along.
        if self.by_syllable or not self.names:
            return
        for name in self.names:
            for syllable in name_syllables(name):
                self.by_syllable[syllable].append(name)
            self.by_letters[name_initials(name)].append(name)

    def __call__(self, text: str) -> list[Spelling]:
        if not text or not self.names:
            return []
        return self.find(self.redact(text) if self.redact else text)

    def find(self, shown: str) -> list[Spelling]:
        """The spellings in a text the Redactor has already been over."""
        found: list[Spelling] = []
        simplified = to_simplified(shown)
        # OpenCC converts some phrases to a different length; then quote its text.
        source = shown if len(simplified) == len(shown) else simplified
        for name in self.candidates(self.by_char, set(simplified)):
            broad = re.compile(character_pattern(name, BROAD_GAP))
            found += [
                Spelling(name, source[m.start() : m.end()], KIND_CHARACTERS)
                for m in broad.finditer(simplified)
            ]
        if re.search("[A-Za-z]", shown) is None:
            return found
        self._index_latin()
        folded = latin_folded(shown)
        starts = {
            word[:length]
            for word in re.findall("[a-z]+", folded)
            for length in range(1, 7)
        }
        for name in self.candidates(self.by_syllable, starts):
            pattern = pinyin_pattern(name)
            if pattern is not None:
                found += [
                    Spelling(name, shown[m.start() : m.end()], KIND_PINYIN)
                    for m in pattern.finditer(folded)
                ]
        capitals = {
            "".join(re.findall("[A-Z]", run)) for run in CAPITALS.findall(shown)
        }
        for name in self.candidates(self.by_letters, capitals):
            letters = name_initials(name)
            pattern = initials_pattern(letters)
            if pattern is None or self.names[name].replace(".", "") == letters:
                continue  # the initials are what readers are meant to see
            found += [
                Spelling(name, m.group(), KIND_INITIALS)
                for m in pattern.finditer(shown)
            ]
        return found

    @staticmethod
    def candidates(index: dict[str, list[str]], keys) -> list[str]:
        return sorted({name for key in keys & index.keys() for name in index[key]})

    def replace(self, text: str) -> str:
        """The text with every spelling found replaced by what readers see:
        for the search index, where nonsense does no harm and a name would."""
        if not text or not self.names:
            return text
        shown = self.redact(text) if self.redact else text
        for spelling in self.find(shown):
            shown = shown.replace(spelling.found, self.names[spelling.name])
        return shown


# Capitals with the dots and spaces of initials between them: P.C.J., P. C. J.
CAPITALS = re.compile(r"[A-Z](?:[.\s]{0,2}[A-Z])+")


def might_hide_a_name(text: str) -> bool:
    """Whether a text has anything the render-time replacement could miss:
    Latin letters (pinyin, initials) or traditional characters. A cheap test,
    so that text can be checked as it is written without reading names."""
    return bool(text) and (
        LATIN_WORD.search(text) is not None or to_simplified(text) != text
    )


LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]{2,}|[A-Z]\.")


def unsafe_spellings(text: str, names: dict[str, str], redact=None) -> list[Spelling]:
    return NameChecker(names, redact)(text)


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


def name_initials(name: str) -> str:
    """The capitals a name's initials are written with: 潘长君 → PCJ."""
    return initials(name).replace(".", "")
