"""Chinese word segmentation for the search index and for readers' queries.

Chinese has no spaces, so both sides go through jieba with one dictionary:
jieba's general one, the curated terms in `dictionary.txt`, and the names the
database knows (regions, causes, program categories, measures and the parts of
program titles). That keeps 浑源县, 雨露计划 and 电商扶贫 single terms.

Indexed text keeps every dictionary word inside a longer one as well (浑源县 is
stored as 浑源县 and 浑源), like jieba's `cut_for_search` but for words of any
length; a query is cut precisely and each of its terms matches index terms that
start with it. Terms are letters and digits only, lower case, so PostgreSQL's
text-search parser reads each as exactly one lexeme.
"""

import functools
import logging
import re
import threading
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

import jieba
from django.utils import translation

from programs.models import Category, Program, Region
from stories.models import Cause, Measure

CURATED_FILE = Path(__file__).with_name("dictionary.txt")
# How often a process looks for new region and program names another process
# may have added (its own saves refresh it at once, see search.signals).
REFRESH_SECONDS = 60
MAX_QUERY_TERMS = 10
# Longer "words" are noise (a pasted URL, a run of letters); PostgreSQL would
# refuse to index them anyway.
MAX_TERM_LENGTH = 40
# Single characters that say nothing on their own in a search.
STOPWORDS = frozenset("的了和与及或在是也都就而并把被让向从对为于之其这那着过吗呢吧啊")
WORD = re.compile(r"[^\W_]+")

jieba.setLogLevel(logging.WARNING)


def normalize(text: str) -> str:
    """Full-width letters and digits as ASCII, lower case: ＡＢＣ１ → abc1."""
    return unicodedata.normalize("NFKC", text).lower()


def fragments(name: str) -> list[str]:
    """The parts of a name between punctuation that can be dictionary words:
    最低生活保障（低保） → 最低生活保障, 低保."""
    return [
        part
        for part in WORD.findall(normalize(name))
        if 2 <= len(part) <= 12 and not part.isdigit()
    ]


def curated_terms() -> set[str]:
    lines = CURATED_FILE.read_text(encoding="utf-8").splitlines()
    return {
        normalize(line.strip())
        for line in lines
        if line.strip() and not line.startswith("#")
    }


def place_and_topic_names() -> set[str]:
    """Names readers search for: regions, causes, program categories, measures
    and the curated terms. Suggestions are drawn from these; never people."""
    with translation.override("zh-hans"):
        labels = [str(label) for label in (*Category.labels, *Measure.labels)]
    names = [
        *Region.objects.values_list("name", flat=True),
        *Cause.objects.values_list("name", flat=True),
        *labels,
    ]
    return {term for name in names for term in fragments(name)} | curated_terms()


def database_terms() -> set[str]:
    titles = Program.objects.values_list("title", flat=True)
    return place_and_topic_names() | {
        term for title in titles for term in fragments(title)
    }


class Dictionary:
    """One jieba tokenizer per process, with the portal's terms added.

    Loading jieba takes a second, so it happens once; the database's names are
    re-read when a save changes them (`invalidate`) or every REFRESH_SECONDS."""

    def __init__(self):
        self._lock = threading.RLock()
        self._tokenizer: jieba.Tokenizer | None = None
        self._added: dict[str, int | None] = {}
        self._checked = float("-inf")
        self.names: frozenset[str] = frozenset()
        # Each character → the names it occurs in, to find names like a typo.
        self.names_by_char: dict[str, set[str]] = {}

    def tokenizer(self) -> jieba.Tokenizer:
        with self._lock:
            if self._tokenizer is None:
                self._tokenizer = jieba.Tokenizer()
                self._tokenizer.initialize()
            if time.monotonic() - self._checked > REFRESH_SECONDS:
                self._refresh()
            return self._tokenizer

    @functools.lru_cache(maxsize=50_000)  # noqa: B019 (one instance, never freed)
    def cut_block(self, block: str) -> tuple[str, ...]:
        return tuple(
            part
            for token in self._tokenizer.cut(block)
            for part in WORD.findall(token)
            if len(part) <= MAX_TERM_LENGTH
        )

    def invalidate(self) -> None:
        with self._lock:
            self._checked = float("-inf")

    def _refresh(self) -> None:
        tokenizer = self._tokenizer
        self.names = frozenset(place_and_topic_names())
        self.names_by_char = defaultdict(set)
        for name in self.names:
            for char in name:
                self.names_by_char[char].add(name)
        wanted = database_terms() | self.names
        for word in wanted - self._added.keys():
            self._added[word] = tokenizer.FREQ.get(word)
            tokenizer.add_word(word)
        for word in self._added.keys() - wanted:
            # Give back jieba's own frequency for a word it knew before.
            original = self._added.pop(word)
            if original:
                tokenizer.FREQ[word] = original
            else:
                tokenizer.del_word(word)
        self.cut_block.cache_clear()
        self._checked = time.monotonic()

    def __contains__(self, word: str) -> bool:
        return bool(self.tokenizer().FREQ.get(word))

    def knew(self, word: str) -> bool:
        """Whether the word is in the dictionary as loaded, without looking
        at the database (which may hold it already)."""
        return bool(self._tokenizer and self._tokenizer.FREQ.get(word))


dictionary = Dictionary()


def words(text: str) -> list[str]:
    """The text cut into words (letters and digits only, lower case).

    Like jieba's `cut`, a block of letters and digits at a time (anything else
    one character at a time); each block's words are remembered, since names
    and set phrases come back in text after text."""
    dictionary.tokenizer()
    found = []
    for block in jieba.re_han_default.split(normalize(text)):
        if jieba.re_han_default.fullmatch(block):
            found += dictionary.cut_block(block)
        else:
            found += [char for char in block if WORD.match(char)]
    return found


def sub_words(word: str, freq: dict[str, int]) -> list[str]:
    """Dictionary words inside a longer word: 浑源县城 → 浑源, 浑源县, 县城."""
    return [
        word[start:end]
        for start in range(len(word) - 1)
        for end in range(start + 2, len(word) + (start > 0))
        if freq.get(word[start:end])
    ]


def index_terms(text: str) -> list[str]:
    """The distinct terms a text is found by, in order of first appearance."""
    freq = dictionary.tokenizer().FREQ
    terms: dict[str, None] = {}
    for word in words(text):
        if word in STOPWORDS:
            continue
        terms[word] = None
        if len(word) > 2:
            terms.update(dict.fromkeys(sub_words(word, freq)))
    return list(terms)


def query_terms(query: str) -> list[str]:
    """The terms of a reader's query, each of which a result must contain."""
    terms = dict.fromkeys(word for word in words(query) if word not in STOPWORDS)
    return list(terms)[:MAX_QUERY_TERMS]


def needle(term: str) -> str:
    """How a query term is looked up in a term column. A dictionary word is
    matched whole: the index keeps it wherever a longer word contains it
    (浑源县 → 浑源). Anything else, and a single character, matches the
    index terms it starts (锦垌 → 锦垌村, 潘 → 潘某)."""
    if len(term) > 1 and term in dictionary:
        return f" {term} "
    return f" {term}"


def as_column(terms: list[str]) -> str:
    """Terms as stored: space-separated with a space at each end, so that
    " 浑源" finds every term starting with 浑源, the first one included."""
    return f" {' '.join(terms)} " if terms else ""
