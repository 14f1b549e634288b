"""Peak memory of a large file of stories, imported as the import worker
does (imports.services.run_batch: streamed from the stored bytes, each row
through django-import-export's import_row in a savepoint).

    .venv/bin/python benchmarks/story_import_memory.py --rows 20000

Imports N stories (default 20,000; each with a title, a lead and a body of
about 1,000 characters) into PostgreSQL (the database `import_bench` unless
--database or DATABASE_URL says otherwise) twice in one run, in processes of
their own: N/4 rows, then N rows. Bounded memory means the two peaks are
about the same: the importer holds a chunk of rows, the first rows for the
preview and the bad rows, never the file's rows all at once. Prints each
run's rows/s and peak resident memory, and ends with the line
`peak memory, N rows vs N/4 rows: +M MB`.
"""

import argparse
import csv
import json
import tempfile
from pathlib import Path

from import_bench import (
    database_argument,
    import_as_worker,
    peak_mb,
    run_child,
    setup_django,
    warm_up,
)
from search_bench import ensure_database

HEADERS = ["网址标识", "标题", "导语", "正文", "地区代码", "来源媒体", "来源日期"]
REGION = "990000"
PARAGRAPH = (
    "村里的合作社把竹编、香菇和土鸡蛋放到网上卖，第一年的订单就超过了往年的总和。"
    "驻村工作队帮着拍照片、写介绍，快递点开到了村口，老人们也学会了看手机上的订单。"
)


def write_file(path: Path, n: int) -> None:
    body = "\n".join([PARAGRAPH] * 12)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        for i in range(n):
            writer.writerow(
                [
                    f"bench-story-{i}",
                    f"基准测试故事{i}",
                    f"第{i}户人家的变化。",
                    body,
                    REGION,
                    "基准测试报",
                    "2020-05-17",
                ]
            )


def clean_up() -> None:
    from django.db import connection

    from imports.models import ImportBatch

    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM search_searchentry WHERE story_id IN"
            " (SELECT id FROM stories_story WHERE slug LIKE 'bench-story-%%')"
        )
    from django.contrib.contenttypes.models import ContentType
    from reversion.models import Revision

    from stories.models import Story

    Story.objects.filter(slug__startswith="bench-story-").delete()
    # Their versions too: the trash would refuse the next run's rows as
    # re-creations of deleted stories.
    story_type = ContentType.objects.get_for_model(Story)
    Revision.objects.filter(
        version__content_type=story_type,
        version__object_repr__startswith="基准测试故事",
    ).delete()
    ImportBatch.objects.filter(file_name="story-bench.csv").delete()


def child(path: Path) -> None:
    from programs.models import Region
    from stories.models import Story
    from stories.resources import StoryResource

    Region.objects.get_or_create(
        code=REGION, defaults={"name": "基准测试省", "level": Region.Level.PROVINCE}
    )
    clean_up()
    warm_up()
    baseline = peak_mb()
    elapsed = import_as_worker(StoryResource, path, "story-bench.csv")
    rows = Story.objects.filter(slug__startswith="bench-story-").count()
    peak = peak_mb()
    clean_up()
    print(
        json.dumps({"seconds": elapsed, "rows": rows, "peak": peak, "base": baseline})
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    database_argument(parser)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        setup_django(args.database)
        child(args.child)
        return
    ensure_database(args.database)
    setup_django(args.database)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    folder = Path(tempfile.mkdtemp(prefix="story-bench-"))
    peaks = {}
    for n in (args.rows // 4, args.rows):
        path = folder / "story-bench.csv"
        write_file(path, n)
        size = path.stat().st_size / 1048576
        found = run_child(__file__, "--child", str(path), "--database", args.database)
        if found["rows"] != n:
            raise SystemExit(f"{found['rows']} stories imported, expected {n}")
        peaks[n] = found["peak"]
        print(
            f"{n:>7,} stories (CSV {size:5.1f} MB): {found['seconds']:7.1f} s, "
            f"{n / found['seconds']:6,.0f} rows/s, peak {found['peak']:5.0f} MB "
            f"(Django alone {found['base']:.0f} MB)"
        )
        path.unlink()
    folder.rmdir()
    small, large = args.rows // 4, args.rows
    print(
        f"peak memory, {large:,} rows vs {small:,} rows: "
        f"{peaks[large] - peaks[small]:+.0f} MB"
    )


if __name__ == "__main__":
    main()
