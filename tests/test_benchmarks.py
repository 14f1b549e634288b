"""The benchmark scripts still run and print the lines the README quotes
(PostgreSQL only: they measure COPY and a real server). Each runs on a few
hundred rows in a database of its own, created and dropped here."""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the benchmarks need PostgreSQL"
)


@pytest.fixture
def bench_database():
    db = settings.DATABASES["default"]
    name = f"bench_smoke_{uuid.uuid4().hex[:8]}"
    host = db.get("HOST") or "127.0.0.1"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    url = f"postgres://{auth}@{host}:{db.get('PORT') or 5432}/{name}"
    yield url
    import psycopg

    with psycopg.connect(
        dbname="postgres",
        host=host,
        port=db.get("PORT") or 5432,
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        autocommit=True,
    ) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(script: str, *args: str) -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        cwd=BENCHMARKS,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_import_benchmark_ends_with_its_two_ratios(bench_database):
    out = run("import_bench.py", "--rows", "300", "--database", bench_database)

    lines = out.strip().splitlines()
    assert lines[-2].startswith("project vs COPY: ") and lines[-2].endswith("the time")
    assert lines[-1].startswith("project vs default: ")
    assert lines[-1].endswith("faster")


def test_the_story_memory_benchmark_compares_two_peaks(bench_database):
    out = run("story_import_memory.py", "--rows", "40", "--database", bench_database)

    assert "peak memory, 40 rows vs 10 rows:" in out


@pytest.mark.skipif(
    shutil.which("wrk") is None and not os.environ.get("REQUIRE_BROWSER"),
    reason="wrk is not installed (apt-get install wrk)",
)
def test_the_fault_benchmark_holds_200_connections_without_an_error():
    out = run(
        "fault_bench.py", "--parts", "load", "--stories", "200", "--duration", "5"
    )
    assert "0 answers 5xx, 0 socket errors, 0 errors in the log" in out
    assert out.strip().splitlines()[-1] == "load: PASS"
