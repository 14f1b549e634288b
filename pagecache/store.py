"""Pages and facts kept between requests, and when they stop being true.

Everything is stored with the content's *generation*, a number that changes
whenever content a reader could see changes (`bump`, run when the change
commits). An entry of another generation is never used, so invalidation is
one write however many pages a change touches: a story's page, the lists,
home, its region and programs, the feeds and the sitemap all at once.

Changes made by the clock alone (a story going live or expiring at a set
time, a consent starting or ending on a day) need no write: no entry is kept
past the next such moment (`next_change`).
"""

import datetime
import hashlib
import logging
import math
import secrets
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db.models import F, Min, Q
from django.utils import timezone

from portal.transactions import once_on_commit

GENERATION_KEY = "pagecache:generation"
logger = logging.getLogger(__name__)


def fresh_number() -> int:
    """A new generation when none is stored: random, so that one lost (evicted,
    or the cache restarted) never brings back a number pages were kept under."""
    return secrets.randbits(62)


def in_database() -> bool:
    """Process-local memory cannot tell one app server's change to another:
    the generation then lives in the database."""
    return isinstance(caches["default"], (LocMemCache, DummyCache))


def current() -> int:
    if in_database():
        from pagecache.models import Generation

        number = Generation.objects.values_list("number", flat=True).first()
        if number is None:
            number = Generation.objects.get_or_create(
                pk=1, defaults={"number": fresh_number()}
            )[0].number
        return number
    number = cache.get(GENERATION_KEY)
    if number is None:
        cache.add(GENERATION_KEY, fresh_number(), timeout=None)
        number = cache.get(GENERATION_KEY)
    return number


def bump() -> None:
    """A new generation: every page and memo stored before is out of date.

    If the cache (or database) refuses, this process keeps no page and serves
    none until a retry succeeds (`settled`): the pages stored before the
    change must not come back once the cache does."""
    global _bump_pending
    try:
        _new_generation()
    except Exception:
        _bump_pending = True
        logger.error("Could not start a new content generation", exc_info=True)
    else:
        _bump_pending = False


_bump_pending = False


def settled() -> bool:
    """Whether this process may use the cache: no change of its own is still
    waiting for its new generation (retried here)."""
    if _bump_pending:
        bump()
    return not _bump_pending


def _new_generation() -> None:
    if in_database():
        from pagecache.models import Generation

        if not Generation.objects.filter(pk=1).update(number=F("number") + 1):
            Generation.objects.update_or_create(
                pk=1, defaults={"number": fresh_number()}
            )
        return
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, fresh_number(), timeout=None)


def bump_on_commit() -> None:
    """A new generation once the current transaction commits (at once outside
    one), registered once however many saves the transaction holds.

    Not before: a page rendered from the old rows in between would be stored
    under the new number."""
    once_on_commit(bump)


def lookup(key: str) -> tuple[int, Any]:
    """The current generation and what is stored under the key for it (None
    when nothing is, or only something older or past its time). One round
    trip to a shared cache."""
    if in_database():
        generation, stored = current(), cache.get(key)
    else:
        found = cache.get_many([GENERATION_KEY, key])
        generation, stored = found.get(GENERATION_KEY), found.get(key)
        if generation is None:
            return current(), None
    if stored is None:
        return generation, None
    stored_generation, deadline, value = stored
    if stored_generation != generation or deadline <= time.time():
        return generation, None
    return generation, value


def keep(key: str, generation: int, value: Any, max_age: int) -> None:
    """Store a value of this generation, for at most max_age seconds and never
    past the next change made by the clock. The deadline is kept with the
    value: a cache's own expiry counts from when it stores, a moment later."""
    seconds = min(max_age, seconds_left(generation))
    if seconds > 0:
        deadline = time.time() + seconds
        cache.set(key, (generation, deadline, value), timeout=math.ceil(seconds))


def guarded(call: Callable, *args) -> Any:
    """call(*args), or None while this process may not use the cache (a new
    generation of its own still failing) or the cache is down: a cache that
    is down costs the work, never the page."""
    try:
        return call(*args) if settled() else None
    except Exception:
        logger.warning("Cache unavailable", exc_info=True)
        return None


def fetch(key: str) -> tuple[int | None, Any]:
    """lookup, guarded: (None, None) when the cache cannot be used."""
    return guarded(lookup, key) or (None, None)


def put(key: str, generation: int | None, value: Any, max_age: int) -> None:
    """keep, guarded; nothing is kept without a generation from fetch."""
    if generation is not None:
        guarded(keep, key, generation, value, max_age)


def memo(name: str, compute: Callable[[], Any]) -> Any:
    """A fact worked out from published content (the list of providers), kept
    in the cache until the content changes."""
    key = f"pagecache:memo:{name}"
    generation, value = fetch(key)
    if value is None:
        value = compute()
        put(key, generation, value, settings.MEMO_SECONDS)
    return value


def process_memo(name: str, compute: Callable[[], Any]) -> Any:
    """Like memo, in this process's memory only: for facts that must not leave
    the app server (the real names the site protects)."""
    generation = guarded(current)
    if generation is None:
        return compute()
    kept = _process_memos.get(name)
    if kept is not None and kept[0] == generation and kept[1] > time.time():
        return kept[2]
    value = compute()
    seconds = min(settings.MEMO_SECONDS, seconds_left(generation))
    _process_memos[name] = (generation, time.time() + seconds, value)
    return value


_process_memos: dict[str, tuple[int, float, Any]] = {}


def forget_local() -> None:
    """Drop what this process keeps by generation. Only tests need it: their
    rolled-back transactions bring an old generation number back."""
    global _next_change
    _next_change = (None, None)
    _process_memos.clear()


def page_key(request, language: str) -> str:
    url = request.build_absolute_uri()
    digest = hashlib.blake2b(url.encode(), digest_size=16).hexdigest()
    return f"pagecache:page:{language}:{digest}"


# -- changes made by the clock -----------------------------------------------


_next_change: tuple[int | None, Any] = (None, None)


def seconds_left(generation: int) -> float:
    """Seconds until the next scheduled change, worked out once per generation
    and process (a few aggregate queries), and again once that moment passes."""
    global _next_change
    now = timezone.now()
    known, moment = _next_change
    if known != generation or (moment is not None and moment <= now):
        moment = next_change()
        _next_change = (generation, moment)
    if moment is None:
        return float("inf")
    return (moment - now).total_seconds()


def next_change():
    """The next moment at which a page could change with no one saving
    anything: a published story or program going live or expiring, or a
    consent starting or ending (which decides which names readers see)."""
    from privacy.models import Consent
    from programs.abstract import Publishable
    from programs.models import Program
    from stories.models import Story

    now = timezone.now()
    day = Consent.objects.next_change()
    moments = [
        timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        if day
        else None
    ]
    for model in (Story, Program):
        moments += (
            model.objects.filter(status=Publishable.Status.PUBLISHED)
            .aggregate(
                live=Min("published_at", filter=Q(published_at__gt=now)),
                ends=Min("expires_at", filter=Q(expires_at__gt=now)),
            )
            .values()
        )
    return min((m for m in moments if m is not None), default=None)
