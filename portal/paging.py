"""Page numbers for readers, without the cost of deep pages.

A list of 100,000 stories paged with OFFSET makes the database walk past
every earlier story to reach page 2,000, and counting them all on every
request costs as much again. Here the pager's own links carry where the page
starts (the last story shown, `after`, or the first, `before`), so the next
page is read from the index directly, however deep; the last page is the
first one read backwards. The count is worked out once per change to the
content (pagecache.store.memo). A bare `?page=N` (a bookmark, a crawler) still
works, the old way.
"""

import datetime
import hashlib

from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.utils.functional import cached_property

from pagecache.store import memo

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
MICROSECOND = datetime.timedelta(microseconds=1)


def cursor_of(item) -> str:
    """Where an item sits in the list (newest first): its publication time in
    microseconds since 1970 (exact, unlike a float) and its id."""
    return f"{(item.published_at - EPOCH) // MICROSECOND}_{item.pk}"


def parse_cursor(value: str | None):
    try:
        micros, pk = (int(part) for part in (value or "").split("_"))
        return EPOCH + micros * MICROSECOND, pk
    except (ValueError, OverflowError):
        return None


class KeysetPaginator(Paginator):
    """A Paginator over a queryset ordered newest first (-published_at, -pk),
    which reads a page from the cursor in the request when it has one."""

    PAGING = ("page", "after", "before")

    def __init__(self, object_list, per_page, request, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.params = request.GET
        self.path = request.path_info

    @cached_property
    def count(self) -> int:
        """Kept per list and filters (not per SQL, which holds the time of the
        request), until the content or the clock changes what it counts."""
        filters = sorted(
            (key, value)
            for key, values in self.params.lists()
            if key not in self.PAGING
            for value in values
        )
        digest = hashlib.blake2b(f"{self.path}|{filters}".encode(), digest_size=16)
        return memo(f"count:{digest.hexdigest()}", self.object_list.count)

    def page(self, number) -> Page:
        number = self.validate_number(number)
        items = self.read(number)
        if items is None:
            return super().page(number)
        return KeysetPage(items, number, self)

    def _get_page(self, *args, **kwargs) -> Page:
        return KeysetPage(*args, **kwargs)

    def read(self, number: int) -> list | None:
        after = parse_cursor(self.params.get("after"))
        before = parse_cursor(self.params.get("before"))
        if after is not None and number > 1:
            moment, pk = after
            # The plain bound lets PostgreSQL start its index scan at the
            # cursor; the OR alone would be checked on every newer row.
            older = self.object_list.filter(published_at__lte=moment).filter(
                Q(published_at__lt=moment) | Q(pk__lt=pk)
            )
            return list(older[: self.per_page])
        if before is not None and number < self.num_pages:
            moment, pk = before
            newer = self.object_list.filter(published_at__gte=moment).filter(
                Q(published_at__gt=moment) | Q(pk__gt=pk)
            )
            return self.backwards(newer, self.per_page)
        if number == self.num_pages and number > 1:
            left = self.count - (number - 1) * self.per_page
            return self.backwards(self.object_list, left)
        return None

    @staticmethod
    def backwards(stories, limit: int) -> list:
        return list(reversed(stories.reverse()[:limit]))


class KeysetPage(Page):
    @property
    def next_cursor(self) -> str | None:
        return cursor_of(self[len(self) - 1]) if len(self) else None

    @property
    def previous_cursor(self) -> str | None:
        return cursor_of(self[0]) if len(self) else None
