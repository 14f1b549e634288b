"""Writing the search index: the public text of each story and program, cut
into words. Only what readers see goes in — story text after `Story.redact`,
people by their disclosed names, details readers may see — so a search can
never confirm a protected name.

Saves do not index anything themselves: they mark the entries they affect as
due (`mark_due`, cheap, in the saving transaction), and due entries are
rewritten when that transaction commits and, in any case, before the next
search runs (`refresh_due`). An import or `load_demo` therefore indexes each
item once, at the end, and no search ever sees an entry older than the data.
"""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, QuerySet
from django.utils import timezone, translation

from portal.transactions import once_on_commit
from privacy.models import Consent
from privacy.rules import ProtectedNames
from privacy.spellings import NameChecker, to_simplified
from programs.models import Figure, Program, Region
from search.models import SearchEntry
from search.terms import as_column, index_terms
from stories.models import Person, Story

CHUNK_SIZE = 500
# Lexemes for the filters, which no reader's words can spell (a colon).
REGION_MARK = "地区:"
YEAR_MARK = "年份:"


@dataclass
class Document:
    """An item's public text in three parts, and the moment it may change by
    the clock alone (a consent withdrawn from a date on, a program going live)."""

    title: str
    lead: str
    body: list[str]
    refresh_after: datetime.datetime | None = None

    def entry_fields(self) -> dict:
        return {
            "title_terms": as_column(index_terms(self.title)),
            "lead_terms": as_column(index_terms(self.lead)),
            "body_terms": as_column(index_terms("\n".join(filter(None, self.body)))),
            "refresh_after": self.refresh_after,
        }


def publication(item) -> dict:
    """The item's status and times, which the entry carries for published()."""
    return {
        "status": item.status,
        "published_at": item.published_at,
        "expires_at": item.expires_at,
    }


def region_column(chain: list[tuple]) -> str:
    """The ids of the item's region and every region above it: the region
    filter finds an item by any of them (" 1 2 3 ")."""
    return as_column([str(pk) for pk, _ in chain])


def start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def earliest_future(moments: Iterable[datetime.datetime | None]):
    now = timezone.now()
    return min((m for m in moments if m is not None and m > now), default=None)


def consent_changes(consents) -> list[datetime.datetime]:
    """When consents come into force or end. Only future ones matter; a child
    growing up only ever makes the index protect more than it must."""
    return [
        start_of(day)
        for consent in consents
        for day in (consent.given_on, consent.withdrawn_on)
        if day is not None
    ]


def protected_names(text: str) -> ProtectedNames:
    """What the `redact_people` filter replaces in a text that belongs to no
    one story, worked out from the stories of the people the text names only
    (the filter itself reads every story): named in characters, simplified or
    traditional, spaced out or not, or in pinyin."""
    names = ProtectedNames()
    if not text:
        return names
    compact = COMPACT_GAPS.sub("", to_simplified(text))
    people = list(Person.objects.values_list("pk", "real_name", "household"))
    if re.search("[A-Za-z]", text):
        spelled = {s.name for s in NameChecker({n: n for _, n, _ in people})(text)}
    else:
        spelled = set()
    named = [
        (pk, household)
        for pk, name, household in people
        if name in compact or (len(name) > 2 and name[1:] in compact) or name in spelled
    ]
    if not named:
        return names
    stories = Story.objects.concerning(
        [pk for pk, _ in named], [h for _, h in named if h is not None]
    ).with_people()
    for story in stories:
        names.update_from(story.name_replacements)
    return names


# Spaces and dots people put between the characters of a name.
COMPACT_GAPS = re.compile(r"[ \t\u3000·•・\-_.]")


def redact_people(texts: list[str]) -> list[str]:
    """Texts that belong to no one story, for the index: every spelling of a
    protected name replaced, pinyin and initials too."""
    if not any(texts):
        return texts
    names = protected_names("\n".join(texts))
    return [names.redact_everything(text) for text in texts]


# -- stories -----------------------------------------------------------------


def stories_for_indexing(stories: QuerySet) -> QuerySet:
    return (
        stories.select_related("region")
        .with_details()
        .prefetch_related("programs", "storyperson_set__person")
    )


def story_document(story, chain: list[tuple], program_titles: dict[int, str]):
    """A story as its page shows it to readers. `chain`: its region and those
    above, (id, name); `program_titles`: programs' public titles."""
    # Every spelling, pinyin and initials too: a search must never find a
    # protected person however the text wrote them.
    redact = story.name_replacements.redact_everything
    programs = [p for p in story.programs.all() if p.is_public]
    body = [
        redact(story.body),
        redact(story.outcome),
        redact(story.byline),
        *(name for _, name in chain),
        *(program_titles[p.pk] for p in programs),
        *(p.get_category_display() for p in programs),
        *(cause.name for cause in story.public_causes()),
    ]
    for line in story.public_assistance():
        body += [line.get_measure_display(), redact(line.description)]
        body.append(redact(line.provider))
    body += [redact(outcome.description) for outcome in story.public_outcomes()]
    body += [redact(photo.caption) for photo in story.public_photos()]
    for featured in story.storyperson_set.all():
        body += [story.disclosure_of(featured.person).name, redact(featured.role)]
    consents = [c for p in story.everyone() for c in p.consents.all()]
    return Document(
        title=redact(story.title),
        lead=redact(story.dek),
        body=body,
        refresh_after=earliest_future(
            [
                *consent_changes(consents),
                *(p.published_at for p in story.programs.all()),
                *(p.expires_at for p in story.programs.all()),
            ]
        ),
    )


def region_chains(region_ids: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
    """Each region's (id, name) from the province down, one query per level."""
    regions = {}
    wanted = set(region_ids)
    while wanted:
        found = list(
            Region.objects.filter(pk__in=wanted).values_list("pk", "name", "parent")
        )
        regions.update({pk: (name, parent) for pk, name, parent in found})
        wanted = {parent for _, _, parent in found if parent and parent not in regions}
    chains = {}
    for region_id in region_ids:
        chain, current = [], region_id
        while current in regions:
            name, parent = regions[current]
            chain.append((current, name))
            current = parent
        chains[region_id] = chain[::-1]
    return chains


def index_stories(stories: QuerySet, chunk_size: int = CHUNK_SIZE) -> int:
    """(Re)write the entries of these stories, a chunk at a time; returns how
    many. Stories are read afresh, so their people and consents are current."""
    ids = list(stories.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start : start + chunk_size]
        versions = entry_versions("story", chunk)
        batch = list(stories_for_indexing(Story.objects.filter(pk__in=chunk)))
        chains = region_chains({story.region_id for story in batch})
        programs = {p.pk: p.title for story in batch for p in story.programs.all()}
        titles = dict(zip(programs, redact_people([*programs.values()]), strict=True))
        with translation.override("zh-hans"):
            entries = [
                SearchEntry(
                    story=story,
                    version=versions.get(story.pk, 0),
                    regions=region_column(chains[story.region_id]),
                    **publication(story),
                    **story_document(
                        story, chains[story.region_id], titles
                    ).entry_fields(),
                )
                for story in batch
            ]
        write(entries, "story")
    return len(ids)


# -- programs ----------------------------------------------------------------


def program_document(program, chain: list[tuple], indicators: list[str]) -> Document:
    """`indicators`: the names of the program's figures, each once."""
    texts = [
        program.title,
        program.summary,
        program.body,
        program.lead_organisation,
        *indicators,
        *(photo.caption for photo in program.photos.all()),
    ]
    # Every editor's text goes through redact_people: a protected name must
    # find nothing, wherever in the program it was written.
    title, summary, body, *rest = redact_people(texts)
    return Document(
        title=title,
        lead=summary,
        body=[
            body,
            *(name for _, name in chain),
            program.get_category_display(),
            *rest,
        ],
    )


def next_consent_change() -> datetime.datetime | None:
    """The next day any consent comes into force or ends: a program's text
    may name anyone, and programs are few enough to rebuild then."""
    day = Consent.objects.next_change()
    return start_of(day) if day else None


def index_programs(programs: QuerySet, chunk_size: int = CHUNK_SIZE) -> int:
    ids = list(programs.order_by("pk").values_list("pk", flat=True))
    refresh_after = next_consent_change()
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start : start + chunk_size]
        versions = entry_versions("program", chunk)
        batch = list(
            Program.objects.filter(pk__in=chunk)
            .select_related("region")
            .prefetch_related("photos")
        )
        chains = region_chains({program.region_id for program in batch})
        # The names only: a program may report thousands of figures.
        indicators: dict[int, list[str]] = {}
        for program_id, indicator in (
            Figure.objects.filter(program__in=chunk)
            .values_list("program_id", "indicator")
            .order_by("program_id", "indicator")
            .distinct()
        ):
            indicators.setdefault(program_id, []).append(indicator)
        entries = []
        with translation.override("zh-hans"):
            for program in batch:
                document = program_document(
                    program,
                    chains[program.region_id],
                    indicators.get(program.pk, []),
                )
                document.refresh_after = refresh_after
                entries.append(
                    SearchEntry(
                        program=program,
                        version=versions.get(program.pk, 0),
                        regions=region_column(chains[program.region_id]),
                        **publication(program),
                        **document.entry_fields(),
                    )
                )
        write(entries, "program")
    return len(ids)


# -- writing -----------------------------------------------------------------


def filter_marks(entry: SearchEntry) -> str:
    """地区:17 for the item's region and each above it, 年份:2024 for the year
    it went live (in the portal's time zone, as the year filter counts)."""
    marks = [f"{REGION_MARK}{pk}" for pk in entry.regions.split()]
    if entry.published_at:
        marks.append(f"{YEAR_MARK}{timezone.localtime(entry.published_at).year}")
    return " ".join(marks)


def entry_versions(item: str, ids: list[int]) -> dict[int, int]:
    """How often each entry has been marked due, read before the items are:
    an entry marked again while they were being read is left due."""
    rows = SearchEntry.objects.filter(**{f"{item}__in": ids})
    return dict(rows.values_list(item, "version"))


# PostgreSQL: one statement per chunk, the tsvector made in the database from
# the same terms (title A, dek or summary B, the rest C; the 'simple'
# configuration only lower-cases, so each term is one lexeme), plus the marks
# (filter_marks), so that the region and year filters are more conditions on
# the GIN index. A row marked due again since its version was read keeps its
# mark.
UPSERT = """
INSERT INTO {table} ({item}, status, published_at, expires_at, regions,
                     title_terms, lead_terms, body_terms, refresh_after, version,
                     indexed_at, vector)
SELECT item, status, published_at, expires_at, regions, title, lead, body,
       refresh_after, version, now(),
       setweight(to_tsvector('simple', title), 'A')
       || setweight(to_tsvector('simple', lead), 'B')
       || setweight(to_tsvector('simple', body), 'C')
       || array_to_tsvector(string_to_array(marks, ' '))
FROM unnest(%s::bigint[], %s::text[], %s::timestamptz[], %s::timestamptz[],
            %s::text[], %s::text[], %s::text[], %s::text[], %s::timestamptz[],
            %s::integer[], %s::text[])
     AS entry(item, status, published_at, expires_at, regions, title, lead, body,
              refresh_after, version, marks)
ON CONFLICT ({item}) DO UPDATE SET
    status = EXCLUDED.status, published_at = EXCLUDED.published_at,
    expires_at = EXCLUDED.expires_at, regions = EXCLUDED.regions,
    title_terms = EXCLUDED.title_terms,
    lead_terms = EXCLUDED.lead_terms, body_terms = EXCLUDED.body_terms,
    refresh_after = EXCLUDED.refresh_after, indexed_at = EXCLUDED.indexed_at,
    vector = EXCLUDED.vector
WHERE {table}.version = EXCLUDED.version
"""
FIELDS = [
    "status",
    "published_at",
    "expires_at",
    "regions",
    "title_terms",
    "lead_terms",
    "body_terms",
    "refresh_after",
    "version",
]


def write(entries: list[SearchEntry], item: str) -> None:
    """Insert or replace the entries of stories or programs (`item`)."""
    if not entries:
        return
    if connection.vendor != "postgresql":
        # SQLite (development) has a single writer at a time.
        SearchEntry.objects.bulk_create(
            entries,
            update_conflicts=True,
            unique_fields=[item],
            update_fields=[*FIELDS, "indexed_at"],
        )
        return
    column = SearchEntry._meta.get_field(item).column
    sql = UPSERT.format(table=SearchEntry._meta.db_table, item=column)
    values = [
        [getattr(entry, field) for entry in entries] for field in [column, *FIELDS]
    ]
    values.append([filter_marks(entry) for entry in entries])
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


# -- keeping it current ------------------------------------------------------


def mark_due(*, stories: QuerySet | None = None, programs: QuerySet | None = None):
    """Mark these items' entries due (creating them for new items), and have
    them rewritten once the current transaction commits."""
    now = timezone.now()
    for item, queryset in (("story", stories), ("program", programs)):
        if queryset is None:
            continue
        ids = set(queryset.values_list("pk", flat=True))
        if not ids:
            continue
        entries = SearchEntry.objects.filter(**{f"{item}__in": ids})
        entries.update(refresh_after=now, version=F("version") + 1)
        SearchEntry.objects.bulk_create(
            [SearchEntry(**{f"{item}_id": pk}, refresh_after=now) for pk in ids],
            ignore_conflicts=True,
        )
        refresh_on_commit()


def refresh_on_commit() -> None:
    """Have the due entries rewritten once the current transaction commits;
    a failure is logged and the next search retries."""
    once_on_commit(refresh_due)


def refresh_due() -> int:
    """Rewrite every entry that is due; returns how many."""
    due = SearchEntry.objects.filter(refresh_after__lte=timezone.now())
    rows = list(due.values_list("story", "program"))
    if not rows:
        return 0
    stories = Story.objects.filter(pk__in=[s for s, _ in rows if s is not None])
    programs = Program.objects.filter(pk__in=[p for _, p in rows if p is not None])
    return index_stories(stories) + index_programs(programs)


def rebuild() -> tuple[int, int]:
    """Every story and program, drafts included (what readers may find is
    decided when they search)."""
    return index_stories(Story.objects.all()), index_programs(Program.objects.all())
