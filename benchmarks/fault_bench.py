"""Load and faults: does the portal hold 200 connections, survive a PostgreSQL
restart under load, and keep an import whole through it?

    .venv/bin/python benchmarks/fault_bench.py                 # 2,000 stories
    .venv/bin/python benchmarks/fault_bench.py --duration 20   # shorter

Serves the portal as in production (DEBUG off, gunicorn with 2 sync workers
on 127.0.0.1, Redis cache) on the database load_bench.py fills
(`portal_load_<N>`), and loads it with wrk from a second process, rotating
through a mix of public pages (home, the list and its next pages, 40 story
pages, a program, regions, searches, a static file); a Lua script counts
every answer by status. Three parts:

1. load: 200 connections for --duration seconds (60), page cache on, as
   readers get the site. Passes with zero 5xx, zero connection errors or
   timeouts, and no error in the server's log.
2. restart: the same load with the page cache off (every request needs the
   database, the hardest case), and PostgreSQL restarted a third of the way
   in (`pg_ctlcluster … restart`). Passes when every answer is 200 or the
   503 page (never a 500), no connection fails, and the same servers answer
   200 again afterwards without being restarted (CONN_HEALTH_CHECKS).
3. import: `manage.py import` of --rows figures (200,000) with PostgreSQL
   restarted while it writes. Passes when the import exits with a message,
   and either every row or none is in the database, never part.

Parts 2 and 3 restart the machine's PostgreSQL, so they need root and are
not run in CI, where tests/test_security.py checks the 503 page and the
health checks, and tests/imports/test_command_faults.py the import's
message; CI runs part 1 for a few seconds (tests/test_benchmarks.py).
"""

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from load_bench import (
    DATABASE_URL,
    WRK_TIMEOUT,
    BenchmarkError,
    collectstatic,
    fetch,
    flush_redis,
    gunicorn,
    prepare_in_child,
    server_env,
)

ROOT = Path(__file__).resolve().parent.parent
CONNECTIONS = 200
LUA = """
local paths = {%(paths)s}
local counter = 0
statuses = {}
threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + n
    end
  end
  for status, n in pairs(total) do
    io.write(string.format("status %%d %%d\\n", status, n))
  end
  local e = summary.errors
  io.write(string.format("errors connect %%d read %%d write %%d timeout %%d\\n",
    e.connect, e.read, e.write, e.timeout))
  io.write(string.format("requests %%d in %%.1f s, p99 %%.1f ms\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(99) / 1000))
end
"""
LOG_ERRORS = re.compile(r"Traceback|Internal Server Error|\[CRITICAL\]|WORKER TIMEOUT")


def pages(site: dict, stories: int) -> list[str]:
    """The mix: what readers open after a story is shared."""
    listed = [p.path for p in site["pages"]]
    step = max(1, stories // 40)
    return [
        *listed,
        "/stories/?page=2",
        "/stories/?page=3",
        "/regions/",
        "/programs/",
        "/search/?q=%E4%B8%8A%E5%AD%A6",
        *[f"/stories/bench-{i}/" for i in range(0, stories, step)],
        site["static"],
    ]


def lua_script(paths: list[str], folder: Path) -> Path:
    script = folder / "mix.lua"
    quoted = ", ".join(f'"{p}"' for p in paths)
    script.write_text(LUA % {"paths": quoted})
    return script


def run_wrk(url: str, script: Path, duration: int) -> dict:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{duration}s"]
    command += [f"--timeout={WRK_TIMEOUT}s", "-s", str(script), url]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 120
    )
    if done.returncode != 0:
        raise BenchmarkError(f"wrk failed: {done.stderr or done.stdout}")
    out = done.stdout
    statuses = {
        int(s): int(n) for s, n in re.findall(r"^status (\d+) (\d+)$", out, re.M)
    }
    errors = dict(
        zip(
            ("connect", "read", "write", "timeout"),
            map(
                int,
                re.search(
                    r"errors connect (\d+) read (\d+) write (\d+) timeout (\d+)", out
                ).groups(),
            ),
            strict=True,
        )
    )
    summary = re.search(r"requests (\d+) in ([\d.]+) s, p99 ([\d.]+) ms", out)
    return {
        "statuses": statuses,
        "errors": errors,
        "requests": int(summary[1]),
        "seconds": float(summary[2]),
        "p99": float(summary[3]),
    }


def warm(server, paths: list[str]) -> list[str]:
    """Only pages that answer 200 go into the mix (a missing bench story
    would be a 404 in the figures)."""
    kept = []
    for path in paths:
        status, _headers, _body, _ms = fetch(server.address, path)
        if status == 200:
            kept.append(path)
        else:
            print(f"  left out of the mix: {path} ({status})")
    return kept


def log_errors(server) -> list[str]:
    lines = server.log.read_text(errors="replace").splitlines()
    return [line for line in lines if LOG_ERRORS.search(line)]


def restart_postgresql() -> float:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    started = time.perf_counter()
    subprocess.run(
        [
            "pg_ctlcluster",
            "--skip-systemctl-redirect",
            version,
            "main",
            "restart",
            "-m",
            "fast",
        ],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def report(name: str, result: dict) -> None:
    codes = ", ".join(f"{s}: {n:,}" for s, n in sorted(result["statuses"].items()))
    errors = ", ".join(f"{k} {v}" for k, v in result["errors"].items())
    rate = result["requests"] / result["seconds"]
    print(
        f"  {name}: {result['requests']:,} requests in {result['seconds']:.0f} s"
        f" ({rate:,.0f}/s, p99 {result['p99']:,.0f} ms); {codes};"
        f" socket errors: {errors}"
    )


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def part_load(site, stories, duration, folder) -> bool:
    print(f"1. load: {CONNECTIONS} connections for {duration} s, page cache on")
    flush_redis()
    with gunicorn(server_env(site["url"], "redis", True)) as server:
        paths = warm(server, pages(site, stories))
        result = run_wrk(server.url, lua_script(paths, folder), duration)
        report("mix", result)
        errors = log_errors(server)
    five = sum(n for s, n in result["statuses"].items() if s >= 500)
    socket = sum(result["errors"].values())
    for line in errors[:10]:
        print(f"    log: {line}")
    ok = five == 0 and socket == 0 and not errors
    print(
        f"  {verdict(ok)}: {five} answers 5xx, {socket} socket errors,"
        f" {len(errors)} errors in the log"
    )
    return ok


def part_restart(site, stories, duration, folder) -> bool:
    print(
        f"2. restart: {CONNECTIONS} connections for {duration} s, page cache off,"
        f" PostgreSQL restarted at {duration // 3} s"
    )
    flush_redis()
    with gunicorn(server_env(site["url"], "redis", False)) as server:
        paths = warm(server, pages(site, stories))
        script = lua_script(paths, folder)
        outcome = {}
        thread = threading.Thread(
            target=lambda: outcome.update(run_wrk(server.url, script, duration))
        )
        thread.start()
        time.sleep(duration / 3)
        took = restart_postgresql()
        print(f"  PostgreSQL restarted in {took:.1f} s")
        thread.join()
        report("mix", outcome)
        # The same servers, after the load: every page answers again.
        after = {path: fetch(server.address, path)[0] for path in paths}
        errors = log_errors(server)
    statuses = outcome["statuses"]
    unexpected = {s: n for s, n in statuses.items() if s not in (200, 503)}
    socket = sum(outcome["errors"].values())
    back = all(status == 200 for status in after.values())
    tracebacks = [line for line in errors if "Traceback" in line]
    print(
        f"  503 pages during the outage: {statuses.get(503, 0):,};"
        f" other than 200 or 503: {unexpected or 'none'};"
        f" after the restart {sum(s == 200 for s in after.values())}/{len(after)}"
        " pages answer 200"
    )
    ok = not unexpected and socket == 0 and back
    print(
        f"  {verdict(ok)}: no 500, {socket} socket errors,"
        f" recovered without a restart: {back}"
    )
    if tracebacks:
        print(
            f"    (the log has {len(tracebacks)} tracebacks: the 503s, logged as"
            " errors, as they should be)"
        )
    return ok


def import_env(url: str) -> dict[str, str]:
    env = {**os.environ, "DJANGO_DEBUG": "0", "DATABASE_URL": url}
    env["DJANGO_SECRET_KEY"] = "fault-bench-only-" + "x" * 40
    return env


def rows_written(helper: list[str]) -> int:
    count = [*helper, "--count"]
    return int(subprocess.run(count, check=True, capture_output=True, text=True).stdout)


def part_import(site, rows: int, folder: Path) -> bool:
    print(f"3. import: {rows:,} figures, PostgreSQL restarted while they are written")
    url = site["url"]
    helper = [sys.executable, __file__, "--database-url", url]
    subprocess.run(
        [*helper, "--import-setup", str(rows), str(folder / "figures.csv")], check=True
    )
    before = rows_written(helper)
    started = time.perf_counter()
    command = [
        sys.executable,
        "manage.py",
        "import",
        "programs.resources.FigureResource",
    ]
    command += [str(folder / "figures.csv"), "--no-input", "--no-progress"]
    job = subprocess.Popen(
        command,
        cwd=ROOT,
        env=import_env(url),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # Into the writing: the rows are checked first, then written.
    time.sleep(max(2.0, rows / 40_000))
    running = job.poll() is None
    took = restart_postgresql()
    output, _ = job.communicate(timeout=600)
    seconds = time.perf_counter() - started
    after = rows_written(helper)
    written = after - before
    whole = written in (0, rows)
    last = [line for line in output.strip().splitlines() if line.strip()][-3:]
    print(
        f"  import still running when PostgreSQL restarted: {running};"
        f" restart took {took:.1f} s"
    )
    print(
        f"  import exited with status {job.returncode} after {seconds:.0f} s;"
        " its last words:"
    )
    for line in last:
        print(f"    | {line[:160]}")
    print(f"  rows in the database: {written:,} of {rows:,}")
    clean = "Traceback" not in output
    ok = whole and running and (job.returncode != 0 or written == rows)
    print(
        f"  {verdict(ok)}: {'all or nothing' if whole else 'PART WRITTEN'};"
        f" a message, not a traceback: {clean}"
    )
    subprocess.run([*helper, "--import-clean"], check=True)
    return ok and clean


# -- helpers run in a child, with Django set up on the benchmark database ------


def child(args) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    import import_bench

    import_bench.setup_django(args.database_url)
    if args.count:
        print(import_bench.count_rows())
    elif args.import_clean:
        import_bench.clean_up()
    else:
        rows, path = args.import_setup
        import_bench.make_programs()
        import_bench.clean_up()
        import_bench.write_file(Path(path), int(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--parts", default="load,restart,import")
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--count", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--import-clean", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--import-setup", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.count or args.import_clean or args.import_setup:
        child(args)
        return
    if os.geteuid() != 0 and set(args.parts.split(",")) - {"load"}:
        sys.exit(
            "fault_bench.py restarts PostgreSQL: run it as root (or --parts load)."
        )
    url = DATABASE_URL.format(stories=args.stories)
    site = prepare_in_child(args.stories, url, 2)
    site["url"] = url
    collectstatic(url)
    site["static"] = static_file(site)
    results = {}
    with tempfile.TemporaryDirectory(prefix="fault-bench-") as folder:
        folder = Path(folder)
        for part in args.parts.split(","):
            if part == "load":
                results[part] = part_load(site, args.stories, args.duration, folder)
            elif part == "restart":
                results[part] = part_restart(site, args.stories, args.duration, folder)
            elif part == "import":
                results[part] = part_import(site, args.rows, folder)
    print("\n" + "; ".join(f"{part}: {verdict(ok)}" for part, ok in results.items()))
    sys.exit(0 if all(results.values()) else 1)


def static_file(site: dict) -> str:
    """The site's style sheet, at its collected (hashed) address."""
    manifest = Path(site["static_root"]) / "staticfiles.json"
    hashed = json.loads(manifest.read_text())["paths"]["css/site.css"]
    return site["static_url"] + hashed


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
