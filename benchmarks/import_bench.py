"""How fast a large spreadsheet of figures imports, three ways, in one run.

    .venv/bin/python benchmarks/import_bench.py --rows 100000

Generates N six-column rows of figures (项目, 指标, 数值, 单位, 年份, 统计期) for
100 programs as a CSV file, then imports them into PostgreSQL (the database
`import_bench` unless --database or DATABASE_URL says otherwise):

- project:  the portal's own path, as the import worker runs it
            (imports.services.run_batch: streaming reader, the resource's
            checks and Chinese messages, a batch with a record of every row,
            versions and audit entries for the programs, COPY for the writes);
- default:  django-import-export's default row-by-row path (a plain
            ModelResource on the same columns, matched on the same natural key,
            the file read into a tablib Dataset);
- COPY:     the floor: the same rows, already turned into column values
            (program ids, numbers), written with PostgreSQL's COPY and nothing
            else; only the COPY itself is timed.

Each runs in a process of its own, so that its peak memory (resident set
size, Django itself included) is its own. The search index's per-save
signal handlers for figures are switched off for the default path: they are
not django-import-export's cost (with them it is slower still); the project
path marks the programs' index entries once, after the import, and that is
timed. Between runs the rows are deleted (not timed).

Ends with the lines `project vs COPY: N× the time` and
`project vs default: N× faster`.
"""

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PROGRAMS = 100
HEADERS = ["项目", "指标", "数值", "单位", "年份", "统计期"]
UNITS = ["万元", "元", "户", "人"]


def setup_django(database: str) -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    # Production settings: DEBUG would keep every query in memory.
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault(
        "DJANGO_SECRET_KEY", "benchmark-only-secret-key-0123456789abcdefghijklmnop"
    )
    import django

    django.setup()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# The data ---------------------------------------------------------------------


def slugs() -> list[str]:
    return [f"bench-program-{i}" for i in range(PROGRAMS)]


def make_programs() -> None:
    from programs.models import Program, Region

    region, _ = Region.objects.get_or_create(
        code="990000", defaults={"name": "基准测试省", "level": Region.Level.PROVINCE}
    )
    for i, slug in enumerate(slugs()):
        Program.objects.get_or_create(
            slug=slug,
            defaults={
                "title": f"基准测试项目{i}",
                "region": region,
                "category": "industry",
                "summary": "基准测试用。",
            },
        )


def row(i: int) -> list[str]:
    value = Decimal((i * 7919) % 100000) / 10
    return [
        slugs()[i % PROGRAMS],
        f"指标{i // PROGRAMS}",
        f"{value}",
        UNITS[(i // PROGRAMS) % len(UNITS)],
        str(2014 + (i // PROGRAMS) % 6),
        "" if i % 3 else "全年",
    ]


def write_file(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        for i in range(n):
            writer.writerow(row(i))


def clean_up() -> None:
    """Delete what a run left (not timed): the figures, the batches, and the
    programs' versions and audit entries, so that every run starts from the
    same tables."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from imports.models import ImportBatch
    from programs.models import Program

    ids = list(Program.objects.filter(slug__in=slugs()).values_list("pk", flat=True))
    program_type = ContentType.objects.get_for_model(Program).pk
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM programs_figure WHERE program_id = ANY(%s)", [ids])
        cursor.execute(
            "CREATE TEMP TABLE bench_revisions AS"
            " SELECT DISTINCT revision_id FROM reversion_version"
            " WHERE content_type_id = %s AND object_id = ANY(%s)",
            [program_type, [str(pk) for pk in ids]],
        )
        cursor.execute(
            "DELETE FROM reversion_version"
            " WHERE revision_id IN (SELECT revision_id FROM bench_revisions)"
        )
        cursor.execute(
            "DELETE FROM reversion_revision"
            " WHERE id IN (SELECT revision_id FROM bench_revisions)"
        )
        cursor.execute(
            "DELETE FROM editorial_auditentry"
            " WHERE content_type_id = %s AND object_id = ANY(%s)",
            [program_type, [str(pk) for pk in ids]],
        )
        cursor.execute("DROP TABLE bench_revisions")
        ImportBatch.objects.filter(file_name="import-bench.csv").delete()
        # Now, rather than by autovacuum in the middle of the next run.
        cursor.execute(
            "VACUUM ANALYZE programs_figure, reversion_version, reversion_revision,"
            " imports_importrow, editorial_auditentry"
        )


def count_rows() -> int:
    from programs.models import Figure

    return Figure.objects.filter(program__slug__in=slugs()).count()


# The three ways ---------------------------------------------------------------


def run_copy(path: Path) -> float:
    """Only the COPY of ready-made column values is timed."""
    from django.db import connection, transaction

    from programs.models import Program

    ids = dict(Program.objects.filter(slug__in=slugs()).values_list("slug", "pk"))
    values = []
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file)
        next(reader)
        for slug, indicator, value, unit, year, period in reader:
            values.append(
                (ids[slug], indicator, Decimal(value), unit, "exact", False)
                + (int(year), period, None, False, "", 0)
            )
    columns = (
        "program_id, indicator, value, unit, qualifier, qualifier_after_magnitude,"
        ' year, period_label, as_of, is_headline, source_note, "order"'
    )
    start = time.perf_counter()
    sql = f"COPY programs_figure ({columns}) FROM STDIN"
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(sql) as copy,
    ):
        for record in values:
            copy.write_row(record)
    return time.perf_counter() - start


def import_as_worker(resource_class, path: Path, file_name: str) -> float:
    """Import a CSV file as the import worker does (a batch, the file's
    bytes held once); returns the seconds it took."""
    from imports.services import create_batch, run_batch
    from programs.spreadsheets import CSV

    start = time.perf_counter()
    data = path.read_bytes()
    batch = create_batch(
        resource_class=resource_class,
        user=None,
        file_name=file_name,
        data=data,
        file_format=CSV,
        store=False,
    )
    run_batch(batch, data=data)
    elapsed = time.perf_counter() - start
    batch.refresh_from_db()
    if batch.status != "done":
        raise SystemExit(f"import failed: {batch.message} {batch.errors[:3]}")
    return elapsed


def run_project(path: Path) -> float:
    from programs.resources import FigureResource

    return import_as_worker(FigureResource, path, "import-bench.csv")


def default_resource():
    from import_export import fields, resources, widgets

    from programs.models import Figure, Program

    class DefaultFigureResource(resources.ModelResource):
        program = fields.Field(
            attribute="program",
            column_name="项目",
            widget=widgets.ForeignKeyWidget(Program, "slug"),
        )
        indicator = fields.Field(attribute="indicator", column_name="指标")
        value = fields.Field(
            attribute="value", column_name="数值", widget=widgets.DecimalWidget()
        )
        unit = fields.Field(attribute="unit", column_name="单位")
        year = fields.Field(
            attribute="year", column_name="年份", widget=widgets.IntegerWidget()
        )
        period_label = fields.Field(attribute="period_label", column_name="统计期")

        class Meta:
            model = Figure
            fields = ("program", "indicator", "value", "unit", "year", "period_label")
            import_id_fields = ("program", "indicator", "year", "period_label")

    return DefaultFigureResource


def run_default(path: Path) -> float:
    from django.db.models.signals import post_delete, post_save
    from import_export.formats import base_formats

    from programs.models import Figure

    for signal in (post_save, post_delete):
        for receiver in list(signal._live_receivers(Figure)[0]):
            signal.disconnect(receiver, sender=Figure)
    start = time.perf_counter()
    text = path.read_bytes().decode("utf-8-sig")
    dataset = base_formats.CSV().create_dataset(text)
    result = default_resource()().import_data(dataset, dry_run=False)
    elapsed = time.perf_counter() - start
    if result.has_errors() or result.has_validation_errors():
        raise SystemExit("default path failed")
    return elapsed


METHODS = {"copy": run_copy, "project": run_project, "default": run_default}


def warm_up() -> None:
    """Load what a long-running worker has loaded already: the word
    segmenter the search index uses (seconds, once per process)."""
    from search.terms import dictionary

    dictionary.tokenizer()


def child(method: str, path: Path, rows: int) -> None:
    clean_up()
    warm_up()
    baseline = peak_mb()
    elapsed = METHODS[method](path)
    peak = peak_mb()
    stored = count_rows()
    clean_up()
    if stored != rows:
        raise SystemExit(f"{method}: {stored} rows stored, expected {rows}")
    print(json.dumps({"seconds": elapsed, "peak_mb": peak, "baseline_mb": baseline}))


def run_child(script: str, *args: str) -> dict:
    """Run a measurement in a process of its own, so that its peak memory
    is its own; it prints its figures as JSON on its last line."""
    output = subprocess.run(
        [sys.executable, script, *args], check=True, capture_output=True, text=True
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def measure(method: str, path: Path, rows: int, database: str) -> dict:
    return run_child(
        __file__,
        *("--child", method, "--file", str(path)),
        *("--rows", str(rows), "--database", database),
    )


def database_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database",
        default=os.environ.get(
            "DATABASE_URL", "postgres://root@127.0.0.1:5432/import_bench"
        ),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    database_argument(parser)
    parser.add_argument(
        "--default-rows",
        type=int,
        default=None,
        help="run the (slow) default path on this many rows only and scale its "
        "time per row; said so in the output",
    )
    parser.add_argument("--child", choices=METHODS, help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if not args.child and args.database.startswith("postgres"):
        from search_bench import ensure_database

        ensure_database(args.database)
    setup_django(args.database)
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("The benchmark needs PostgreSQL (for COPY).")
    if args.child:
        child(args.child, args.file, args.rows)
        return

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    make_programs()
    clean_up()
    folder = Path(tempfile.mkdtemp(prefix="import-bench-"))
    path = folder / "figures.csv"
    write_file(path, args.rows)
    default_rows = min(args.default_rows or args.rows, args.rows)
    default_path = path
    if default_rows != args.rows:
        default_path = folder / "figures-default.csv"
        write_file(default_path, default_rows)
    size = path.stat().st_size / 1048576
    print(f"{args.rows:,} rows of figures, {len(HEADERS)} columns, CSV {size:.1f} MB")

    found = {}
    for method in ("copy", "project", "default"):
        n = default_rows if method == "default" else args.rows
        found[method] = measure(
            method, default_path if method == "default" else path, n, args.database
        )
        found[method]["rows"] = n
        per_row = found[method]["seconds"] / n
        found[method]["scaled"] = per_row * args.rows
        note = "" if n == args.rows else f"  (measured on {n:,} rows, scaled)"
        print(
            f"{method:8} {found[method]['scaled']:8.2f} s  "
            f"{n / found[method]['seconds']:10,.0f} rows/s  "
            f"peak {found[method]['peak_mb']:6.0f} MB "
            f"(Django alone {found[method]['baseline_mb']:.0f} MB){note}"
        )
    project = found["project"]["scaled"]
    print(f"project vs COPY: {project / found['copy']['scaled']:.1f}× the time")
    print(f"project vs default: {found['default']['scaled'] / project:.1f}× faster")
    path.unlink()
    if default_path != path:
        default_path.unlink()
    folder.rmdir()


if __name__ == "__main__":
    main()
