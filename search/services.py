"""Searching stories and programs: matching, ranking, snippets, suggestions.

    query = ReaderQuery.parse(request.GET.get("q", ""))
    found = search(query, filters=StoryFilterForm(request.GET), page=2)
    found.counts, found.page  # {"all": 5, "stories": 1, "programs": 4}, a Page
    story_matches(query)  # index entries of matching public stories, best first

A result has every word of the query: a dictionary word whole, anything else
as the start of an index term (search.terms.needle). Results are ranked by how
many of the words the title has, then the dek or summary, then by date: the
same order on PostgreSQL and SQLite, read from the short term columns (ts_rank
would unpack every match's vector). A word most stories contain ranks only its
newest matches (Matches), so that no search reads the whole index.
"""

import difflib
import json
import math
import time
import unicodedata
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from itertools import chain

from django.contrib.postgres.search import SearchQuery, SearchQueryField
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    F,
    Func,
    Q,
    QuerySet,
    Value,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from privacy.rules import redact_text
from programs.models import Category, Program, Region
from search.indexing import REGION_MARK, YEAR_MARK, protected_names, refresh_due
from search.models import SearchEntry
from search.terms import dictionary, needle, normalize, query_terms
from stories.models import Story

MAX_QUERY_LENGTH = 100


@dataclass(frozen=True)
class ReaderQuery:
    """What a reader typed, made safe to show and to search for."""

    text: str
    terms: tuple[str, ...]
    truncated: bool = False

    @classmethod
    def parse(cls, raw: str) -> "ReaderQuery":
        # Control characters (NUL included) never reach a page or the database.
        text = "".join(
            ch if unicodedata.category(ch)[0] != "C" else " " for ch in raw or ""
        )
        text = " ".join(text.split())
        truncated = len(text) > MAX_QUERY_LENGTH
        text = text[:MAX_QUERY_LENGTH]
        return cls(text, tuple(query_terms(text)) if text else (), truncated)

    def __bool__(self) -> bool:
        return bool(self.terms)


# -- matching and ranking ----------------------------------------------------


def matches(entries: QuerySet, terms) -> QuerySet:
    """Entries with every term (search.terms.needle: whole, or as a prefix)."""
    if connection.vendor == "postgresql":
        # Terms are letters and digits only (search.terms), so quoting is safe.
        tsquery = " & ".join(
            f"'{term}'" if needle(term).endswith(" ") else f"'{term}':*"
            for term in terms
        )
        return entries.filter(
            vector=SearchQuery(tsquery, search_type="raw", config="simple")
        )
    condition = Q()
    for term in terms:
        condition &= (
            Q(title_terms__contains=needle(term))
            | Q(lead_terms__contains=needle(term))
            | Q(body_terms__contains=needle(term))
        )
    return entries.filter(condition)


def hits(terms, column: str) -> RawSQL:
    """How many of the terms this column has (0 for none). Written as SQL: a
    Case per term costs the ORM milliseconds to build on every search. The
    terms are letters and digits only, so no LIKE wildcard can slip in."""
    sql = " + ".join(f"CASE WHEN {column} LIKE %s THEN 1 ELSE 0 END" for _ in terms)
    return RawSQL(f"({sql})", [f"%{needle(term)}%" for term in terms])  # nosec B611


def ranked(entries: QuerySet, query: ReaderQuery, item: str) -> QuerySet:
    """Matching entries with their hits, best first."""
    if not query:
        return entries.none()
    return (
        matches(entries, query.terms)
        .annotate(
            title_hits=hits(query.terms, "title_terms"),
            lead_hits=hits(query.terms, "lead_terms"),
        )
        .order_by("-title_hits", "-lead_hits", "-published_at", f"-{item}_id")
    )


def story_entries() -> QuerySet:
    return SearchEntry.objects.published().filter(story__isnull=False)


def program_entries() -> QuerySet:
    return SearchEntry.objects.published().filter(program__isnull=False)


def story_matches(query: ReaderQuery) -> QuerySet:
    """The index entries of published stories that match, best first."""
    return ranked(story_entries(), query, "story")


def program_matches(query: ReaderQuery) -> QuerySet:
    return ranked(program_entries(), query, "program")


def marked(entries: QuerySet, mark: str) -> QuerySet:
    """PostgreSQL: entries whose vector has this filter mark (地区:17): one
    more condition on the GIN index (search.indexing.filter_marks)."""
    lexeme = Cast(Value(f"'{mark}'"), SearchQueryField())
    return entries.filter(
        Func(
            F("vector"),
            lexeme,
            template="%(expressions)s",
            arg_joiner=" @@ ",
            output_field=BooleanField(),
        )
    )


def in_region(entries: QuerySet, region) -> QuerySet:
    """Entries of items in the region or anywhere below it."""
    if connection.vendor == "postgresql":
        return marked(entries, f"{REGION_MARK}{region.pk}")
    return entries.filter(regions__contains=f" {region.pk} ")


def in_year(entries: QuerySet, year: int) -> QuerySet:
    """Entries of items that went live that year (as the story list counts)."""
    if connection.vendor == "postgresql":
        return marked(entries, f"{YEAR_MARK}{year}")
    return entries.filter(published_at__year=year)


# The story list's filters that an entry can apply itself, without a join.
ENTRY_FILTERS = {"region", "year"}


def filtered_entries(query: ReaderQuery, filters) -> QuerySet:
    """Published stories' entries that meet the story list's (valid) filters."""
    data = {name: value for name, value in filters.cleaned_data.items() if value}
    entries = story_entries()
    if "region" in data:
        entries = in_region(entries, data["region"])
    if "year" in data:
        entries = in_year(entries, data["year"])
    if data.keys() - ENTRY_FILTERS:
        # The form looks at the matching stories only: some filters check
        # each story's public details in Python.
        matching = matches(entries, query.terms).values("story")
        among = filters.filter(Story.objects.published().filter(pk__in=matching))
        entries = entries.filter(story__in=among)
    return entries


def plan_with(**settings: str) -> None:
    """On PostgreSQL, planner settings for the rest of the transaction (SET
    LOCAL), in one round trip."""
    if connection.vendor != "postgresql":
        return
    # The names are this module's own constants; the values are parameters.
    calls = ", ".join(f"set_config('{name}', %s, true)" for name in settings)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {calls}", [*settings.values()])


@contextmanager
def planner(**settings: str):
    """Run the enclosed queries in a transaction with these planner settings."""
    with transaction.atomic():
        plan_with(**settings)
        yield


# The planner does not know that testing a row against a query means
# unpacking the row's whole vector. Left to itself it reads every row for a
# word most items contain (seconds over 100,000 stories), so searches always
# go through the GIN index or along the date index.
index_scans = partial(planner, enable_seqscan="off")
# Each kind's query then chooses (Matches): the GIN index for a rare word,
# the date index for a common one.

# A word in at least this share of the items is common: rather than ranking
# every match, its newest RANKED_LIMIT matches are ranked (walking the date
# index, which finds them after a few hundred rows), and the count is the
# planner's estimate.
COMMON_SHARE = 0.05
RANKED_LIMIT = 120
KEY = ("title_hits", "lead_hits", "published_at")


_statistics: dict[str, tuple[float, object]] = {}


def once_a_minute(name: str, look_up):
    """The value look_up() gave, looked up again when a minute old: the
    database's statistics, which change slowly."""
    now = time.monotonic()
    if name not in _statistics or now - _statistics[name][0] > 60:
        _statistics[name] = (now, look_up())
    return _statistics[name][1]


def published_entries(item: str) -> float:
    """About how many published stories or programs there are."""
    entries = story_entries() if item == "story" else program_entries()
    return once_a_minute(item, lambda: estimated_rows(entries))


def lexeme_shares() -> dict[str, float]:
    """The share of all entries each common lexeme is in, as ANALYZE found
    (PostgreSQL's statistics: about a thousand lexemes)."""

    def look_up() -> dict[str, float]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT most_common_elems::text::text[], most_common_elem_freqs"
                " FROM pg_stats WHERE tablename = %s AND attname = 'vector'",
                [SearchEntry._meta.db_table],
            )
            row = cursor.fetchone()
        return dict(zip(row[0], row[1], strict=False)) if row and row[0] else {}

    return once_a_minute("lexemes", look_up)


def term_share(term: str, shares: dict[str, float]) -> float:
    """About what share of the entries has the term (as search.terms.needle
    matches it); 0 for a term too rare to be in the statistics."""
    if needle(term).endswith(" "):
        return shares.get(term, 0.0)
    return min(1.0, sum(f for lexeme, f in shares.items() if lexeme.startswith(term)))


def estimated_rows(queryset: QuerySet) -> float:
    plan = json.loads(queryset.order_by().explain(format="json"))
    return plan[0]["Plan"]["Plan Rows"]


class Matches:
    """One kind's matches for a page: (pk, title hits, lead hits, date) keys,
    best first, and how many there are. `entries`: the published entries of
    that kind to search among."""

    def __init__(
        self,
        query: ReaderQuery,
        entries: QuerySet,
        item: str,
        page: int,
        filtered: bool = False,
    ):
        self.query, self.base, self.item = query, entries, item
        self.filtered = filtered
        self.entries = ranked(entries, query, item)
        self.approximate = False
        # A few hundred items (programs, a small site) are simply all ranked.
        self.large = (
            connection.vendor == "postgresql"
            and published_entries(item) * COMMON_SHARE >= RANKED_LIMIT
        )
        if self.large and self.is_common():
            self.newest_ranked()
        else:
            self.first_keys(page)

    def is_common(self) -> bool:
        if self.filtered:
            estimate = estimated_rows(self.entries)
            return estimate > COMMON_SHARE * published_entries(self.item)
        # Without filters, from the words' shares alone: no query needed.
        shares = lexeme_shares()
        return math.prod(term_share(t, shares) for t in self.query.terms) > (
            COMMON_SHARE
        )

    def newest_ranked(self) -> None:
        plan_with(enable_bitmapscan="off", enable_indexscan="on")  # by date
        rows = list(
            self.entries.order_by("-published_at", f"-{self.item}_id").values_list(
                self.item, *KEY
            )[: RANKED_LIMIT + 1]
        )
        newest = rows[:RANKED_LIMIT]
        self.keys = sorted(newest, key=best_first)
        self.complete = True
        self.count = len(rows)
        if len(rows) > RANKED_LIMIT:
            self.approximate = True
            estimate = max(self.sampled_count(newest), len(rows))
            self.count = round(estimate, 2 - len(str(estimate)))  # 99,968 → 100,000

    def sampled_count(self, newest: list) -> int:
        """About how many match, from the newest matches: the share of all the
        entries published since the oldest of them, times all the entries."""
        since = newest[-1][3]
        plan_with(enable_bitmapscan="on")
        recent = self.base.filter(published_at__gte=since).count()
        everything = (
            estimated_rows(self.base) if self.filtered else published_entries(self.item)
        )
        return round(len(newest) / max(recent, 1) * everything)

    def first_keys(self, first_page: int) -> None:
        """The first page's keys and the count, in one query."""
        if self.large:
            plan_with(enable_bitmapscan="on", enable_indexscan="off")  # by GIN
        rows = list(
            self.entries.annotate(total=Window(Count("pk"))).values_list(
                self.item, *KEY, "total"
            )[:first_page]
        )
        self.keys = [row[:-1] for row in rows]
        self.count = rows[0][-1] if rows else 0
        self.complete = len(rows) == self.count

    def top(self, stop: int) -> list[tuple]:
        if stop > len(self.keys) and not self.complete:
            if self.large:
                plan_with(enable_bitmapscan="on", enable_indexscan="off")
            self.keys = list(self.entries.values_list(self.item, *KEY)[:stop])
            self.complete = len(self.keys) == self.count
        return self.keys[:stop]

    @property
    def available(self) -> int:
        """How many can be listed (a common word: the ranked newest)."""
        return len(self.keys) if self.approximate else self.count


def best_first(key: tuple, kind: int = 0) -> tuple:
    """A sort key: more title hits, then dek hits, newer, stories before
    programs, then the later-created first (as the database orders them)."""
    pk, title_hits, lead_hits, published_at = key
    return (-title_hits, -lead_hits, -published_at.timestamp(), kind, -pk)


class Results:
    """Stories and programs as one ranked list that a Paginator can page
    through: each page reads the keys above it, then the items it shows."""

    def __init__(self, query: ReaderQuery, *found: Matches):
        self.query = query
        self.found = found

    def count(self) -> int:
        return sum(matches.available for matches in self.found)

    def __getitem__(self, window: slice) -> list["Hit"]:
        order = sorted(
            best_first(key, kind)
            for kind, matches in enumerate(self.found)
            for key in matches.top(window.stop)
        )[window]
        wanted: dict[int, list[int]] = {}
        for *_, kind, negated_pk in order:
            wanted.setdefault(kind, []).append(-negated_pk)
        shown = {
            (kind, obj.pk): obj
            for kind, pks in wanted.items()
            for obj in for_display(self.found[kind].item, pks)
        }
        programs = [obj for obj in shown.values() if isinstance(obj, Program)]
        site_names = protected_names("\n".join(map(Hit.program_texts, programs)))
        return [
            Hit(shown[kind, -negated_pk], self.query.terms, site_names)
            for *_, kind, negated_pk in order
            if (kind, -negated_pk) in shown
        ]


def for_display(item: str, pks: list[int]) -> QuerySet:
    """The items to show, checked against published() once more."""
    if item == "story":
        # What redaction needs: the people, their households and consents.
        return (
            Story.objects.published()
            .select_related("region")
            .with_people()
            .filter(pk__in=pks)
        )
    return (
        Program.objects.published().select_related("region__parent").filter(pk__in=pks)
    )


class Hit:
    """One result as the page shows it: title and snippet from the text
    readers see, with the query's words marked."""

    def __init__(self, item, terms, site_names: dict[str, str]):
        """`site_names`: the protected names to replace in program texts."""
        self.item = item
        self.is_story = isinstance(item, Story)
        if self.is_story:
            texts = [item.title, item.dek, item.dek, item.body, item.outcome]
            redact = item.redact
        else:
            texts = [item.title, item.summary, item.summary, item.body]
            redact = partial(redact_text, replacements=site_names)
        title, lead, *text = (redact(part) for part in texts)
        self.title = highlight(title, terms)
        self.snippet = snippet("\n".join(text), terms, fallback=lead)

    @staticmethod
    def program_texts(program) -> str:
        return "\n".join([program.title, program.summary, program.body])

    @property
    def url(self) -> str:
        return self.item.get_absolute_url()


KINDS = ("all", "stories", "programs")
KIND_ITEMS = {"stories": "story", "programs": "program"}


@dataclass
class SearchPage:
    kind: str
    counts: dict[str, int]
    page: Page
    suggestions: list[str]
    # A common word: counts are estimates, the list the newest RANKED_LIMIT.
    approximate: bool = False


def search(
    query: ReaderQuery, *, filters, kind: str = "all", page=None, per_page: int = 12
) -> SearchPage:
    """One page of results as the search page shows it. `filters`: a bound
    StoryFilterForm; `kind`: all, stories or programs."""
    refresh_due()
    if filters.is_bound:
        filters.is_valid()  # invalid filters are reported and ignored
    with index_scans():
        if filters.active:
            # The filters describe stories; programs would ignore them.
            kind = "stories"
            stories = filtered_entries(query, filters)
            found = {
                "stories": Matches(query, stories, "story", per_page, filtered=True)
            }
        else:
            found = {
                "stories": Matches(query, story_entries(), "story", per_page),
                "programs": Matches(query, program_entries(), "program", per_page),
            }
        shown = [found[name] for name in found if kind in ("all", name)]
        results = Paginator(Results(query, *shown), per_page).get_page(page)
    counts = {name: found[name].count if name in found else 0 for name in KIND_ITEMS}
    counts["all"] = counts["stories"] + counts["programs"]
    return SearchPage(
        kind=kind,
        counts=counts,
        page=results,
        suggestions=[] if counts["all"] else suggestions(query),
        approximate=any(matches.approximate for matches in found.values()),
    )


# -- highlighting ------------------------------------------------------------


def spans(text: str, terms) -> list[tuple[int, int]]:
    """Where the terms occur in the text, compared as the index compares them
    (full-width and case folded), merged where they touch."""
    folded = normalize(text)
    origin = range(len(text))
    if len(folded) != len(text):
        # Folding changed lengths (㎡ → m2): map each folded character back.
        pairs = [(part, i) for i, char in enumerate(text) for part in normalize(char)]
        folded = "".join(part for part, _ in pairs)
        origin = [i for _, i in pairs]
    found = []
    for term in terms:
        start = folded.find(term)
        while start != -1:
            end = start + len(term)
            found.append((origin[start], origin[end - 1] + 1))
            start = folded.find(term, end)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, terms) -> SafeString:
    """The text, HTML-escaped, with each occurrence of a term in <mark>."""
    out, last = [], 0
    for start, end in spans(text, terms):
        out += [escape(text[last:start]), "<mark>", escape(text[start:end]), "</mark>"]
        last = end
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # nosec B308 B703


def snippet(text: str, terms, width: int = 110, fallback: str = "") -> SafeString:
    """A window of the text around the first term found, or the fallback."""
    text = " ".join(text.split())
    found = spans(text, terms)
    if not found:
        return highlight(Truncator(" ".join(fallback.split())).chars(width), terms)
    start = max(0, min(found[0][0] - 20, len(text) - width))
    end = start + width
    # highlight() escaped the text.
    return mark_safe(  # nosec B308 B703
        ("…" if start else "")
        + highlight(text[start:end], terms)
        + ("…" if end < len(text) else "")
    )


# -- suggestions -------------------------------------------------------------


def has_results(term: str) -> bool:
    query = ReaderQuery.parse(term)
    return bool(query) and (
        story_matches(query).exists() or program_matches(query).exists()
    )


# What place names end with; readers often leave it out (浑元 for 浑源县).
PLACE_SUFFIXES = tuple("省市县区镇乡村")


def one_off(term: str, name: str) -> bool:
    """Same length, at least two characters, one of them different."""
    return (
        len(term) == len(name) >= 2
        and sum(a != b for a, b in zip(term, name, strict=True)) == 1
    )


def similarity(term: str, name: str) -> float:
    """How close a place or topic name is to what was typed: 浑源 → 浑源县
    (contained), 浑元县 → 浑源县 and 浑元 → 浑源县 (one character off)."""
    if len(term) >= 2 and term in name:
        return 1 + len(term) / len(name)
    # Two characters one off are too loose a match (上学 is not 因学) unless
    # they are a place's name without its suffix.
    if (len(name) > 2 and one_off(term, name)) or (
        name.endswith(PLACE_SUFFIXES) and one_off(term, name[:-1])
    ):
        return 0.9
    if abs(len(term) - len(name)) > 2 or not set(term) & set(name):
        return 0
    return difflib.SequenceMatcher(None, term, name).ratio()


def alike(typed: set[str]) -> set[str]:
    """Place and topic names sharing at least half the characters of one of
    the typed strings."""
    found = set()
    for term in typed:
        chars = set(term)
        shared = Counter(
            name for char in chars for name in dictionary.names_by_char.get(char, ())
        )
        found |= {name for name, n in shared.items() if n >= max(1, len(chars) // 2)}
    return found


def suggestions(query: ReaderQuery, limit: int = 5) -> list[str]:
    """Place and topic names close to the query that do have results. Names
    of people are never suggested."""
    dictionary.tokenizer()
    typed = set(query.terms) | {normalize("".join(query.text.split()))}
    scored = {}
    for name in alike(typed) - typed:
        score = max(similarity(term, name) for term in typed)
        if score >= 0.6:
            scored[name] = score
    ranked_names = sorted(scored, key=lambda name: (-scored[name], len(name), name))
    return [name for name in ranked_names[: limit * 2] if has_results(name)][:limit]


def popular_terms(limit: int = 12) -> list[str]:
    """Starting points for an empty search: the counties, program categories
    and best-known measures that have public content."""
    refresh_due()

    counties = Region.objects.filter(level=Region.Level.COUNTY).values_list(
        "name", flat=True
    )
    categories = (
        Program.objects.published()
        .order_by("category")
        .values_list("category", flat=True)
        .distinct()
    )
    candidates = chain(
        counties,
        ("雨露计划", "低保", "易地扶贫搬迁"),
        (
            Category(category).label
            for category in categories
            if category != Category.OTHER
        ),
    )
    terms = []
    with translation.override("zh-hans"):
        candidates = list(dict.fromkeys(str(term) for term in candidates))
    for term in candidates:
        if len(terms) == limit:
            break
        if has_results(term):
            terms.append(term)
    return terms
