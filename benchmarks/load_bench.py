"""Requests per second and latency of the public pages, under load.

    .venv/bin/python benchmarks/load_bench.py                  # 100,000 stories
    .venv/bin/python benchmarks/load_bench.py --stories 2000 --small 200 --duration 3
    .venv/bin/python benchmarks/load_bench.py --rounds 3 --cache locmem

Fills a PostgreSQL database per size with published synthetic stories (the
generator and indexer of search_bench.py; `portal_load_<N>`, kept between runs
and regenerated only when it holds another number of benchmark stories), runs
`collectstatic`, then serves the portal as in production (DEBUG off, gunicorn
with 2 sync workers on 127.0.0.1) and loads it from a second process:
`wrk -t2 -c16 -d10s --latency`, with no Accept-Encoding, so that pages and the
static file are both sent uncompressed.

For each size (--small first, then --stories), with the page cache on
(CACHE_URL: Redis database 14, flushed before each start, or --cache locmem)
and then off (PAGE_CACHE_SECONDS=0; the few memos kept in the cache stay
on), it loads home, the story list, a deep page of it (page 2,000, or the
last page when there are fewer, at the address the "next" link of the page
before gives: ?page=N&after=<cursor>), a story's page, its program's page, a
search for a common word, and a collected static file of about the story
page's size served by WhiteNoise from the same gunicorn: the physical limit
of this machine, of which each page's requests/s is given as a share (and,
uncached at --stories, the two yardsticks of the second target below). Every
page gets a gunicorn of its own: a slow page leaves up to --connections
requests queued when wrk stops, which the server would otherwise go on
serving during the next page's load. Before the load each page must answer
200, and with the cache on the story page must then come from it (header
X-Page-Cache: hit, which PAGE_CACHE_HEADER=1 turns on); a page that does
not is reported with gunicorn's log and the run goes on. "1st ms" is the
first request, alone on an idle server. wrk's timeout is raised to 30 s
(gunicorn's own), so that a slow page shows in the latencies instead of
vanishing as timeouts. With --rounds above 1 the sizes and modes are
interleaved round by round and medians are reported.

Ends with the issue's three targets, each PASS or MISS:

- cached story page at ≥ 50% of the static file's requests/s;
- uncached story page at ≥ 3× a stock Wagtail page, measured in the same
  run: beside the uncached pages at --stories, the same wrk loads a page of
  a stock Wagtail 8 site (wagtail_site.py: built once with its own
  virtualenv from PyPI, `wagtail start` plus one article page type, up to
  2,000 pages carrying the benchmark stories' texts, gunicorn -w 2, DEBUG
  off, persistent database connections) and the portal's empty page
  (shell_wsgi.py: base.html and no query of its own, the floor of every
  page the portal renders). Wagtail is loaded a minute or so after the
  story page: judge the ratio from --rounds 3, whose medians smooth out a
  shared machine's drift. With --no-wagtail, or when the site cannot be
  built or its page fails its check, Wagtail's figure is ANCHORS.md's 240
  req/s from another machine like this one (the run then says so), and
  the ratio of each to its own machine's static file is printed beside it;
- p99 at --stories within 1.5× of p99 at --small, for every page, cached
  and uncached (the deep list page is page 2,000 at the larger size and
  the last page at the smaller: as deep as each goes): the worst is judged.
"""

import argparse
import contextlib
import http.client
import json
import math
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import wagtail_site
from search_bench import ensure_database, fill, setup_django

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = "postgres://root@127.0.0.1:5432/portal_load_{stories}"
REDIS_URL = "redis://127.0.0.1:6379/14"
# ../shared/ANCHORS.md, when no Wagtail page was measured in the run: a stock
# Wagtail 8 page with gunicorn -w 2, and the static file, on another machine
# like this one.
WAGTAIL_RPS = 240
WAGTAIL_STATIC_RPS = 4_700
WAGTAIL_PAGE = "stock Wagtail page"
SHELL_PAGE = "empty page"  # shell_wsgi.py: base.html and nothing else
SHELL_PATH = "/bench-shell/"
WAGTAIL_PAGES = 2000  # as in ANCHORS.md
DEEP_PAGE = 2000
DEEP_LIST = "story list, deep"
# The most frequent crop in search_bench's text: a search with many results.
SEARCH_WORD = "小米"
STATIC_PAGE = "static file"
# Yardsticks beside the pages, not judged by the p99 target.
REFERENCES = (STATIC_PAGE, WAGTAIL_PAGE, SHELL_PAGE)
WORKERS = 2
# Well above what a page should take, so that a slow page shows up in the
# latencies rather than vanishing into wrk's timeouts (2 s by default).
WRK_TIMEOUT = 30
FETCH_TIMEOUT = 120
MODES = ("cached", "uncached")
TARGET_STATIC_SHARE = 0.5
TARGET_WAGTAIL_RATIO = 3
TARGET_P99_RATIO = 1.5


class BenchmarkError(Exception):
    pass


@dataclass
class Page:
    name: str
    path: str


@dataclass
class Warmed:
    """What the checks before the load saw."""

    size: int  # bytes of the body
    served: str  # the last X-Page-Cache: hit, miss or - (none)
    first_ms: float  # the first request, alone on the server


@dataclass
class Measurement:
    rps: float
    p50: float  # milliseconds
    p99: float
    requests: int
    errors: int
    warmed: Warmed
    # No request finished while the load lasted: the latencies are only the
    # lower bound that gives (--duration).
    unfinished: bool = False
    failed_rounds: int = 0

    def latency(self, value: float) -> str:
        return f"> {value:,.0f}" if self.unfinished else f"{value:,.1f}"


# A measurement, or why the page could not be measured.
Result = Measurement | str


# -- the database (in a child process: one Django set-up per database) ---------


def prepare(stories: int, url: str, workers: int) -> dict:
    """The database for this many stories, filled if it holds another number,
    and the pages to load in it."""
    ensure_database(url)
    setup_django(url)
    from django.conf import settings
    from django.core.management import call_command
    from django.urls import reverse

    from portal.paging import cursor_of
    from stories.models import Story

    call_command("migrate", verbosity=0)
    filled = None
    if Story.objects.filter(slug__startswith="bench-").count() != stories:
        started = time.perf_counter()
        # stdout carries the answer to the parent; the progress goes to stderr.
        with contextlib.redirect_stdout(sys.stderr):
            fill(stories, workers)
        filled = time.perf_counter() - started
    published = Story.objects.published()
    count = published.count()
    # A story from the middle of the archive, and the program it belongs to.
    story = published.order_by("pk")[count // 2]
    program = story.programs.published().first()
    deep = min(DEEP_PAGE, math.ceil(count / settings.STORIES_PER_PAGE))
    # Where the "next" link of the page before points: the last story on it.
    before = published.order_by("-published_at", "-pk")[
        (deep - 1) * settings.STORIES_PER_PAGE - 1
    ]
    stories_url = reverse("stories:list")
    search_url = reverse("search:results")
    pages = [
        Page("home", reverse("home")),
        Page("story list", stories_url),
        Page(DEEP_LIST, f"{stories_url}?page={deep}&after={cursor_of(before)}"),
        Page("story detail", story.get_absolute_url()),
        Page("program detail", program.get_absolute_url()),
        Page("search", f"{search_url}?{urlencode({'q': SEARCH_WORD})}"),
    ]
    return {
        "stories": count,
        "filled_seconds": filled,
        "static_root": str(settings.STATIC_ROOT),
        "static_url": "/" + settings.STATIC_URL.lstrip("/"),
        "pages": [page.__dict__ for page in pages],
    }


def prepare_in_child(stories: int, url: str, workers: int) -> dict:
    command = [sys.executable, __file__, "--prepare", str(stories)]
    command += ["--database-url", url, "--workers", str(workers)]
    done = subprocess.run(
        command, stdout=subprocess.PIPE, text=True, env=child_env(), check=True
    )
    site = json.loads(done.stdout.strip().splitlines()[-1])
    site["pages"] = [Page(**page) for page in site["pages"]]
    return site


def prepare_wagtail(url: str) -> dict:
    """The stock Wagtail site (wagtail_site.py), its pages carrying the texts
    of this database's first benchmark stories."""
    setup_django(url)
    from stories.models import Story

    texts = Story.objects.filter(slug__startswith="bench-").order_by("pk")
    texts = list(texts.values("title", "dek", "body")[:WAGTAIL_PAGES])
    # stdout carries the answer to the parent.
    with contextlib.redirect_stdout(sys.stderr):
        site = wagtail_site.build(texts)
    return {
        "python": str(site.python),
        "project": str(site.project),
        "url": site.env["DATABASE_URL"],
        "path": site.path,
        "pages": len(texts),
    }


def prepare_wagtail_in_child(url: str) -> dict | str:
    """The site, or why it was not built (no PyPI, say): its errors are
    printed as they come, and so is its progress on the first build."""
    command = [sys.executable, __file__, "--prepare-wagtail", "--database-url", url]
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, env=child_env())
    if done.returncode != 0:
        print("stock Wagtail site not built (see above), so not measured")
        return f"not built (status {done.returncode})"
    site = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"stock Wagtail site ready in {time.perf_counter() - started:.0f} s:"
        f" {site['pages']:,} pages, {site['project']}"
    )
    return site


def child_env() -> dict[str, str]:
    # DEBUG off: Django would keep every query of the fill in memory.
    return {**os.environ, "DJANGO_DEBUG": "0"}


# -- the server ----------------------------------------------------------------


def server_env(database_url: str, cache: str, page_cache: bool) -> dict[str, str]:
    """Production settings, except that cookies may travel over plain HTTP."""
    env = {**os.environ, "DJANGO_DEBUG": "0", "DATABASE_URL": database_url}
    env["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    env["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    env["DJANGO_HTTPS"] = "0"
    # X-Page-Cache, off by default in production, shows what the load got.
    env["PAGE_CACHE_HEADER"] = "1"
    env.pop("CACHE_URL", None)
    env.pop("PAGE_CACHE_SECONDS", None)
    if cache == "redis":
        env["CACHE_URL"] = REDIS_URL
    if not page_cache:
        env["PAGE_CACHE_SECONDS"] = "0"
    return env


def collectstatic(database_url: str) -> None:
    # With DEBUG off WhiteNoise serves only what is collected, by its
    # manifest's hashed names.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=server_env(database_url, "locmem", True),
        check=True,
    )


def flush_redis() -> None:
    """No page or generation left from an earlier start."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class App:
    """What gunicorn serves: a WSGI module, run by a Python from a folder,
    and a cheap page of it that loads its code in each worker."""

    python: Path
    module: str
    folder: Path
    warm_up: str


PORTAL = App(Path(sys.executable), "portal.wsgi", ROOT, "/robots.txt")
SHELL = App(Path(sys.executable), "benchmarks.shell_wsgi", ROOT, "/robots.txt")


@dataclass
class Server:
    address: tuple[str, int]
    log: Path

    @property
    def url(self) -> str:
        return "http://{}:{}".format(*self.address)

    def log_tail(self, lines: int = 25) -> str:
        tail = self.log.read_text(errors="replace").splitlines()[-lines:]
        return "\n".join(f"    | {line}" for line in tail)


@contextlib.contextmanager
def gunicorn(env: dict[str, str], app: App = PORTAL):
    """A fresh server, stopped on the way out whatever happens."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="load-bench-") as folder:
        log = Path(folder) / "gunicorn.log"
        command = [str(app.python), "-m", "gunicorn", app.module]
        command += ["--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}"]
        with log.open("w") as output:
            # A session of its own, so that its workers can be stopped with it.
            process = subprocess.Popen(
                command,
                cwd=app.folder,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = Server(("127.0.0.1", port), log)
        try:
            wait_for_port(port, process)
            yield server
        except BaseException:
            print(f"  gunicorn's log:\n{server.log_tail(60)}")
            raise
        finally:
            stop(process)


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchmarkError(f"gunicorn exited with status {process.returncode}")
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), timeout=1),
        ):
            return
        time.sleep(0.1)
    raise BenchmarkError(f"gunicorn did not listen on port {port} in {seconds} s")


def stop(process: subprocess.Popen) -> None:
    """Quick shutdown (SIGINT): a graceful one would first serve every
    request still queued by the load, which can take minutes on a slow page."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# -- requests --------------------------------------------------------------------


def fetch(address: tuple[str, int], path: str) -> tuple[int, dict, bytes, float]:
    """One plain GET, as wrk sends it: no cookies, no Accept-Encoding, and no
    redirect followed (one would be a finding, not a page)."""
    connection = http.client.HTTPConnection(*address, timeout=FETCH_TIMEOUT)
    started = time.perf_counter()
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
    except (OSError, http.client.HTTPException) as error:
        elapsed = time.perf_counter() - started
        raise BenchmarkError(
            f"GET {path}: {error!r} after {elapsed * 1000:,.0f} ms"
        ) from error
    finally:
        connection.close()
    elapsed = time.perf_counter() - started
    return response.status, dict(response.getheaders()), body, elapsed


def get(server: Server, path: str) -> tuple[dict, bytes, float]:
    """A GET that must answer 200: its headers, body and seconds."""
    status, headers, body, elapsed = fetch(server.address, path)
    if status != 200:
        location = headers.get("Location", "")
        raise BenchmarkError(
            f"GET {path} answered {status} {location} in {elapsed * 1000:,.0f} ms"
        )
    return headers, body, elapsed


def get_concurrently(server: Server, path: str) -> None:
    """Two requests per worker at once: sync workers take one each, so every
    worker gets some, where requests in turn might all go to one."""
    with ThreadPoolExecutor(2 * WORKERS) as pool:
        list(pool.map(lambda _: get(server, path), range(2 * WORKERS)))


def warm(
    server: Server, page: Page, page_cache: bool, cache: str, warm_up: str
) -> Warmed:
    """Checks that the page answers 200 and, with the page cache on, is then
    served from it; times one request on an idle server; and leaves every
    worker with the page's code loaded and its database connection open."""
    # Workers import the portal on their first request (no --preload, as in
    # production): that cost is not the page's.
    get_concurrently(server, warm_up)
    headers, body, first = get(server, page.path)
    get_concurrently(server, page.path)
    # In locmem each worker keeps pages of its own: a hit may take some tries.
    for _ in range(1 if cache == "redis" else 10):
        headers, body, _elapsed = get(server, page.path)
        served = headers.get("X-Page-Cache", "-")
        if served == "hit":
            break
    if not page_cache and served != "-":
        raise BenchmarkError(f"GET {page.path}: X-Page-Cache {served} with it off")
    if page_cache and page.name == "story detail" and served != "hit":
        raise BenchmarkError(f"GET {page.path}: X-Page-Cache {served} when warm")
    return Warmed(len(body), served, first * 1000)


WRK_UNITS = {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000}


def run_wrk(url: str, args) -> dict:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}"]
    command += [f"-d{args.duration}s", f"--timeout={WRK_TIMEOUT}s", "--latency", url]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=args.duration + 60
    )
    if done.returncode != 0:
        raise BenchmarkError(f"wrk failed on {url}: {done.stderr or done.stdout}")
    return parse_wrk(done.stdout)


def parse_wrk(output: str) -> dict:
    """Requests/sec, the 50% and 99% latencies (ms) of `--latency`, and the
    requests that failed: socket errors and answers other than 2xx or 3xx."""
    latency = {
        share: float(value) * WRK_UNITS[unit]
        for share, value, unit in re.findall(
            r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", output, re.MULTILINE
        )
    }
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    total = re.search(r"(\d+) requests in", output)
    if rps is None or total is None or set(latency) != {"50", "99"}:
        raise BenchmarkError(f"wrk's output was not understood:\n{output}")
    errors = sum(
        int(n)
        for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output)
        + re.findall(r"Non-2xx or 3xx responses: (\d+)", output)
    )
    return {
        "rps": float(rps[1]),
        "p50": latency["50"],
        "p99": latency["99"],
        "requests": int(total[1]),
        "errors": errors,
    }


def closest_static(site: dict, size: int) -> Page:
    """The collected file (by its hashed name) nearest in size to a page."""
    root = Path(site["static_root"])
    names = json.loads((root / "staticfiles.json").read_text())["paths"].values()
    name = min(names, key=lambda name: abs((root / name).stat().st_size - size))
    return Page(STATIC_PAGE, site["static_url"] + name)


# -- measuring -------------------------------------------------------------------


def measure_page(
    page: Page, env: dict[str, str], page_cache: bool, args, app: App = PORTAL
) -> Result:
    """One page under load, on a server of its own: requests a slow page
    leaves queued when wrk stops (up to --connections) would otherwise be
    served during the next page's load. A page that fails its check is
    reported and the run goes on."""
    if args.cache == "redis":
        flush_redis()
    try:
        with gunicorn(env, app) as server:
            try:
                # WhiteNoise answers before the page cache is asked.
                cached = page_cache and page.name != STATIC_PAGE
                warmed = warm(server, page, cached, args.cache, app.warm_up)
            except BenchmarkError as error:
                print(f"  {page.name}: FAILED {error}\n{server.log_tail()}", flush=True)
                return str(error)
            found = Measurement(**run_wrk(server.url + page.path, args), warmed=warmed)
            if found.errors or not found.requests:
                print(f"  {page.name}: gunicorn's log:\n{server.log_tail()}")
    except (BenchmarkError, OSError) as error:
        # A server that did not start, or wrk that failed (gunicorn's log is
        # printed above): the pages measured so far are still reported.
        print(f"  {page.name}: FAILED {error}", flush=True)
        return str(error)
    if not found.requests:
        found.p50 = found.p99 = args.duration * 1000
        found.unfinished = True
    print(
        f"  {page.name:<18} {found.rps:8,.0f} req/s, p50 {found.latency(found.p50)}"
        f" ms, p99 {found.latency(found.p99)} ms, {found.errors} errors"
        f" (first request {warmed.first_ms:,.0f} ms)",
        flush=True,
    )
    return found


def measure_mode(
    site: dict,
    page_cache: bool,
    args,
    *,
    references: bool = False,
    wagtail: dict | str | None = None,
) -> dict[str, Result]:
    """Every page; with references, the empty page and the stock Wagtail page
    too (wagtail: the built site, why it was not built, or None when off)."""
    env = server_env(site["url"], args.cache, page_cache)
    found = {
        page.name: measure_page(page, env, page_cache, args) for page in site["pages"]
    }
    if "static" not in site:
        # The same file for both modes, of about the story page's size.
        detail = found["story detail"]
        size = detail.warmed.size if isinstance(detail, Measurement) else 8192
        site["static"] = closest_static(site, size)
    found[STATIC_PAGE] = measure_page(site["static"], env, page_cache, args)
    if not references:
        return found
    shell_env = {**env, "BENCH_SHELL_PATH": SHELL_PATH}
    found[SHELL_PAGE] = measure_page(
        Page(SHELL_PAGE, SHELL_PATH), shell_env, page_cache, args, SHELL
    )
    if isinstance(wagtail, str):
        found[WAGTAIL_PAGE] = wagtail
    elif wagtail is not None:
        page = Page(WAGTAIL_PAGE, wagtail["path"])
        app = App(
            Path(wagtail["python"]),
            wagtail_site.WSGI_MODULE,
            Path(wagtail["project"]),
            "/",
        )
        found[WAGTAIL_PAGE] = measure_page(
            page, wagtail_site.server_env(wagtail["url"]), False, args, app
        )
    return found


# -- reporting -------------------------------------------------------------------


def combine(runs: list[Result]) -> Result:
    """Medians over the rounds in which the page answered."""
    answered = [run for run in runs if isinstance(run, Measurement)]
    if not answered:
        return runs[0]
    return Measurement(
        rps=statistics.median(run.rps for run in answered),
        p50=statistics.median(run.p50 for run in answered),
        p99=statistics.median(run.p99 for run in answered),
        requests=sum(run.requests for run in answered),
        errors=sum(run.errors for run in answered),
        warmed=answered[-1].warmed,
        unfinished=any(run.unfinished for run in answered),
        failed_rounds=len(runs) - len(answered),
    )


def print_table(title: str, results: dict[str, Result]) -> None:
    static = results[STATIC_PAGE]
    print(f"\n{title}")
    print(
        f"  {'page':<18} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'% static':>8}"
        f" {'KB':>6} {'cache':>5} {'1st ms':>7} {'errors':>6}"
    )
    for name, run in results.items():
        if not isinstance(run, Measurement):
            print(f"  {name:<18} FAILED: {run}")
            continue
        share = (
            f"{run.rps / static.rps:.0%}" if isinstance(static, Measurement) else "-"
        )
        note = (
            f"  (failed in {run.failed_rounds} round(s))" if run.failed_rounds else ""
        )
        print(
            f"  {name:<18} {run.rps:7,.0f} {run.latency(run.p50):>8}"
            f" {run.latency(run.p99):>8} {share:>8}"
            f" {run.warmed.size / 1024:6.1f} {run.warmed.served:>5}"
            f" {run.warmed.first_ms:7,.0f} {run.errors:6,}{note}"
        )


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def print_targets(results: dict, large: int, small: int | None) -> None:
    print(f"\ntargets at {large:,} stories:")
    print_static_share(results[large, "cached"])
    print_wagtail_ratio(results[large, "uncached"])
    if small is not None:
        print_p99_ratios(results, large, small)


def print_static_share(cached: dict[str, Result]) -> None:
    detail, static = cached["story detail"], cached[STATIC_PAGE]
    if not isinstance(detail, Measurement) or not isinstance(static, Measurement):
        print(f"cached story detail: MISS (no measurement: {detail} / {static})")
        return
    share = detail.rps / static.rps
    print(
        f"cached story detail: {detail.rps:,.0f} req/s = {share:.0%} of static"
        f" ({static.rps:,.0f} req/s) (target ≥ {TARGET_STATIC_SHARE:.0%}):"
        f" {verdict(share >= TARGET_STATIC_SHARE)}"
    )


def print_wagtail_ratio(uncached: dict[str, Result]) -> None:
    detail, static = uncached["story detail"], uncached[STATIC_PAGE]
    if not isinstance(detail, Measurement):
        print(f"uncached story detail: MISS (no measurement: {detail})")
        return
    wagtail = uncached.get(WAGTAIL_PAGE)
    if isinstance(wagtail, Measurement):
        yardstick, source = wagtail.rps, "measured in this run"
    else:
        yardstick = WAGTAIL_RPS
        why = wagtail or "--no-wagtail"
        source = f"ANCHORS.md's from another machine, not measured here: {why}"
    ratio = detail.rps / yardstick
    print(
        f"uncached story detail: {detail.rps:,.0f} req/s = {ratio:.2f}× the stock"
        f" Wagtail page's {yardstick:,.0f} req/s ({source})"
        f" (target ≥ {TARGET_WAGTAIL_RATIO}×): {verdict(ratio >= TARGET_WAGTAIL_RATIO)}"
    )
    shell = uncached.get(SHELL_PAGE)
    if isinstance(shell, Measurement):
        print(
            f"  the empty page (base.html, no query of its own): {shell.rps:,.0f}"
            f" req/s = {shell.rps / yardstick:.2f}× the Wagtail page, the most any"
            " page the portal renders can reach here"
        )
    if not isinstance(wagtail, Measurement) and isinstance(static, Measurement):
        # Each against its own machine's static file: absolute figures drift
        # from machine to machine, this ratio much less.
        here, there = detail.rps / static.rps, WAGTAIL_RPS / WAGTAIL_STATIC_RPS
        print(
            f"  as shares of each machine's static file: {here:.1%} here vs"
            f" Wagtail's {there:.1%} of {WAGTAIL_STATIC_RPS:,} = {here / there:.2f}×"
        )


def print_p99_ratios(results: dict, large: int, small: int) -> None:
    print(f"\np99 at {large:,} vs {small:,} stories:")
    ratios = []
    for mode in MODES[::-1]:
        for name, after in results[large, mode].items():
            if name in REFERENCES:
                continue
            before = results[small, mode][name]
            label = f"{name} ({mode})"
            if not isinstance(after, Measurement) or not isinstance(
                before, Measurement
            ):
                ratios.append((math.inf, "", label, after, before))
                print(f"  {label:<29} no measurement")
                continue
            ratio = after.p99 / before.p99
            # An unfinished page's p99 is a lower bound, and so is the ratio.
            bound = "> " if after.unfinished else "< " if before.unfinished else ""
            ratios.append((ratio, bound, label, after, before))
            print(
                f"  {label:<29} {after.latency(after.p99):>9} ms vs"
                f" {before.latency(before.p99):>7} ms = {bound}{ratio:.2f}×"
            )
    ratio, bound, label, after, before = max(ratios, key=lambda item: item[0])
    head = f"p99 at {large:,} vs {small:,} stories (worst): {label}"
    if math.isinf(ratio):
        print(f"{head} not measured: MISS")
        return
    print(
        f"{head} {after.latency(after.p99)} ms vs {before.latency(before.p99)} ms"
        f" = {bound}{ratio:.2f}× (target ≤ {TARGET_P99_RATIO}×):"
        f" {verdict(ratio <= TARGET_P99_RATIO and bound != '> ')}"
    )


# -- the run -----------------------------------------------------------------------


def prepare_sites(sizes: list[int], workers: int) -> dict[int, dict]:
    sites = {}
    for stories in sizes:
        url = DATABASE_URL.format(stories=stories)
        started = time.perf_counter()
        site = prepare_in_child(stories, url, workers)
        site["url"] = url
        if site["filled_seconds"] is not None:
            print(
                f"filled {url.rsplit('/', 1)[1]} with {stories:,} stories in"
                f" {site['filled_seconds']:.0f} s (database ready in"
                f" {time.perf_counter() - started:.0f} s)"
            )
        if site["stories"] != stories:
            raise BenchmarkError(
                f"{site['stories']} published stories in {url}, expected {stories}"
            )
        sites[stories] = site
    return sites


def load_average() -> str:
    # Timings on a shared machine mean little without the load they ran under.
    return ", ".join(f"{n:.1f}" for n in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument(
        "--small", type=int, default=1000, help="size to compare p99 with; 0 skips"
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--cache", choices=["redis", "locmem"], default="redis")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 2, help="to fill and index"
    )
    parser.add_argument(
        "--wagtail",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="measure a stock Wagtail page in the same run (built once, see"
        " wagtail_site.py); without it the target uses ANCHORS.md's figure",
    )
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--prepare-wagtail", action="store_true", help=argparse.SUPPRESS
    )
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        print(json.dumps(prepare(args.prepare, args.database_url, args.workers)))
        return
    if args.prepare_wagtail:
        try:
            print(json.dumps(prepare_wagtail(args.database_url)))
        except RuntimeError as error:
            sys.exit(f"wagtail_site: {error}")
        return
    try:
        failed = run(args)
    except BenchmarkError as error:
        sys.exit(f"load_bench: {error}")
    if failed:
        sys.exit(f"load_bench: {failed} page(s) failed their check, see above")


def run(args) -> int:
    """Measures and prints; returns how many measurements failed."""
    small = args.small if 0 < args.small < args.stories else None
    sizes = [size for size in (small, args.stories) if size]
    sites = prepare_sites(sizes, args.workers)
    collectstatic(sites[args.stories]["url"])
    wagtail = (
        prepare_wagtail_in_child(sites[args.stories]["url"]) if args.wagtail else None
    )

    print(
        f"\n{os.cpu_count()} CPUs, load average {load_average()};"
        f" gunicorn -w {WORKERS}; wrk -t{args.threads} -c{args.connections}"
        f" -d{args.duration}s --timeout {WRK_TIMEOUT}s --latency;"
        f" page cache in {args.cache}; {args.rounds} round(s)"
    )
    for stories, site in sites.items():
        paths = "; ".join(f"{page.name} {page.path}" for page in site["pages"])
        print(f"pages at {stories:,} stories: {paths}")

    runs = defaultdict(lambda: defaultdict(list))
    for round_number in range(1, args.rounds + 1):
        for stories, site in sites.items():
            for mode in MODES:
                print(
                    f"round {round_number}, {stories:,} stories, page cache {mode}"
                    f" (load average {load_average()})",
                    flush=True,
                )
                # Wagtail has no page cache: it and the empty page are
                # measured beside the uncached pages at the larger size.
                references = (stories, mode) == (args.stories, "uncached")
                found = measure_mode(
                    site,
                    mode == "cached",
                    args,
                    references=references,
                    wagtail=wagtail if references else None,
                )
                for name, result in found.items():
                    runs[stories, mode][name].append(result)

    results = {
        key: {name: combine(found) for name, found in pages.items()}
        for key, pages in runs.items()
    }
    for stories, site in sites.items():
        print(f"\n{stories:,} stories; static file {site['static'].path}")
        for mode in MODES:
            print_table(
                f"{stories:,} stories, page cache {mode}", results[stories, mode]
            )
    print_targets(results, args.stories, small)
    print(f"\nload average at the end: {load_average()}")
    return sum(
        not isinstance(result, Measurement)
        for pages in runs.values()
        for results in pages.values()
        for result in results
    )


if __name__ == "__main__":
    main()
