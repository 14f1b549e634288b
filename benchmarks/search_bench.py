"""Search latency on a large PostgreSQL index.

    python benchmarks/search_bench.py                       # 100,000 stories
    python benchmarks/search_bench.py --stories 20000 --repeat 10
    python benchmarks/search_bench.py --database-url postgres://root@127.0.0.1:5432/x

Fills a dedicated database (created and migrated if missing; regenerated when
it holds a different number of benchmark stories, or with --regenerate) with
published stories written from a vocabulary of places, programs and measures,
indexes them with the portal's own indexing code (several processes), then
times 20 representative queries through `search.services.search` — what the
search page calls: parsing, matching, the counts and the first page of results
with snippets — and prints p50/p95 per query and overall.
"""

import argparse
import itertools
import os
import random
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgres://root@127.0.0.1:5432/portal_bench"
TARGET_MS = 50

# -- vocabulary ----------------------------------------------------------------

PROVINCES = {
    "山西省": (
        "140000",
        {"大同市": ["浑源县", "灵丘县", "广灵县", "阳高县", "天镇县"]},
    ),
    "重庆市": ("500000", {"": ["城口县", "巫溪县", "酉阳县", "秀山县", "彭水县"]}),
    "广西壮族自治区": (
        "450000",
        {"贵港市": ["港南区", "覃塘区", "桂平市", "平南县"], "贺州市": ["富川县"]},
    ),
    "贵州省": (
        "520000",
        {"黔东南苗族侗族自治州": ["天柱县", "锦屏县", "黎平县", "榕江县", "从江县"]},
    ),
    "甘肃省": ("620000", {"定西市": ["通渭县", "岷县", "渭源县", "漳县"]}),
    "云南省": ("530000", {"昭通市": ["镇雄县", "彝良县", "威信县", "大关县"]}),
}
SYLLABLES = list(
    "青石桥河山坪坝岭沟湾塘溪田家庄林源泉水平安和兴龙凤花柳桃杨李王张刘陈黄"
    "东西南北上下新老大小金银红白马牛羊鹿竹松梅兰云雾星月清明高长宝福寿康"
)
# Words drawn with falling weights (the first most often), as in real text:
# a few words are everywhere, most are rare.
CROPS = [
    "小米", "土豆", "玉米", "核桃", "花椒", "茶叶", "花菇", "香菇", "木耳",
    "甘蔗", "黄花菜", "蜂蜜", "中药材", "党参", "黄芪", "猕猴桃", "脐橙",
    "苹果", "葡萄", "辣椒", "魔芋", "红薯", "荞麦", "燕麦", "油菜", "百香果",
    "火龙果", "蓝莓", "板栗", "竹笋", "生姜", "大蒜", "山药", "枸杞", "沙棘",
    "杏仁", "红枣", "柑橘", "李子", "樱桃",
]  # fmt: skip
INDUSTRIES = [
    "养牛", "养羊", "养猪", "养鸡", "养蜂", "花菇", "茶叶", "中药材", "光伏",
    "乡村旅游", "农家乐", "民宿", "竹编", "刺绣", "蜡染", "食用菌", "冷水鱼",
    "苗木", "果蔬", "木板加工", "服装加工", "电子元件",
]  # fmt: skip
MEASURES = [
    "低保",
    "“雨露计划”补助",
    "教育补助",
    "产业奖补",
    "扶贫小额信贷",
    "困难残疾人生活补贴",
    "医疗救助",
    "公益岗位",
    "危房改造补助",
    "生态护林员岗位",
    "以工代赈",
    "特困供养",
]
CAUSE_WORDS = ["因病", "缺技术", "缺资金", "缺劳力", "因学", "因残", "缺水", "因灾"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林")
CATEGORIES = {
    "ecommerce": "电商扶贫",
    "tourism": "旅游扶贫",
    "consumption": "消费扶贫",
    "industry": "产业扶贫",
    "collective": "农村集体经济",
    "education": "教育扶贫",
    "health": "健康扶贫",
    "employment": "就业扶贫",
}
TITLES = [
    "从贫困户到致富带头人，老{surname}的{crop}生意越做越大",
    "{crop}上了网店，一年多挣{money}元",
    "{village}：{industry}基地让乡亲们在家门口就业",
    "{county}：{industry}产业带动{number}户脱贫",
    "老{surname}的{industry}合作社分红了",
    "低保兜底，爱心接力，一家人的生活有了着落",
    "搬出大山住新房，{village}的日子越过越红火",
    "“雨露计划”帮孩子圆了上学梦",
    "{crop}丰收了，{village}的乡亲们笑了",
    "一块{industry}招牌，撑起一个村",
]
DEKS = [
    "{county}{village}村民老{surname}一家靠{industry}稳定脱贫，去年家庭收入{money}元。",
    "{county}把{category}作为脱贫攻坚的重要抓手，{village}的贫困户{number}户受益。",
    "在驻村工作队帮助下，老{surname}家享受了{measure}，日子有了着落。",
    "{township}的{crop}卖出了好价钱，贫困户人均增收{money}元。",
]
SENTENCES = [
    "{county}{township}{village}村民老{surname}一家{small}口人，过去主要靠种{crop}为生。",
    "扶贫干部经常来家里走访，帮他算收入账、找致富门路。",
    "如今，他家人均年收入超过{money}元，已经稳定脱贫。",
    "{year}年，他家被识别为建档立卡贫困户，致贫原因是{cause}。",
    "驻村工作队上门了解情况后，为他家落实了{measure}，每月{small}00元。",
    "村里的{industry}合作社吸纳他务工，一年能挣{money}元。",
    "说起这几年的变化，老{surname}笑着说：日子越过越有奔头。",
    "{program}实施以来，全村{number}户贫困户有了稳定收入。",
    "他参加了县里组织的技能培训，学会了{industry}技术。",
    "村集体经济组织每年给贫困户分红，他家去年分到{small}00元。",
    "看病有医疗保障兜底，住院费用大部分都能报销。",
    "扶贫小额信贷让他有了启动资金，养了{small}头牛。",
    "孩子上学享受“雨露计划”补助，每学期1500元。",
    "通过电商扶贫，家里的{crop}在网上卖到了全国各地，一天能卖出{number}多斤。",
    "县里推行消费扶贫，机关食堂和超市专柜里摆满了{crop}等扶贫产品。",
    "老{surname}的妻子在村里的扶贫车间上班，离家近，还能照顾老人。",
    "易地扶贫搬迁让一家人从山上搬进了安置小区的新房。",
    "村里修通了硬化路，{crop}收购商的车可以直接开到地头。",
    "家里的危房经过改造，住上了安全的砖房。",
    "他在乡里当上了生态护林员，每年有{money}元工资。",
    "县里请来专家，教大家科学种植{crop}，亩产提高了一倍。",
    "村里的光伏电站每年给贫困户带来稳定的收益。",
    "女儿考上了大学，学费有助学贷款，生活费靠勤工俭学。",
    "直播带货让{village}的{crop}卖到了大城市。",
]


def weighted(rng: random.Random, words: list[str]) -> str:
    """A word, the first ones far more often than the last (1/rank)."""
    return rng.choices(words, weights=[1 / (i + 1) for i in range(len(words))])[0]


def place_names(rng: random.Random, suffix: str, n: int) -> list[str]:
    """n different made-up place names: 青石镇, 龙湾村."""
    names: set[str] = set()
    while len(names) < n:
        names.add("".join(rng.sample(SYLLABLES, 2)) + suffix)
    return sorted(names)


# -- setting up the database ---------------------------------------------------


def ensure_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    # DEBUG off, so that Django does not keep every query in memory.
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-key-" + "x" * 32)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def make_regions(rng: random.Random):
    from programs.models import Region

    counties, villages = [], []
    for province_name, (code, prefectures) in PROVINCES.items():
        province, _ = Region.objects.get_or_create(
            code=code, defaults={"name": province_name, "level": 1}
        )
        for p_index, (prefecture_name, county_names) in enumerate(prefectures.items()):
            parent = province
            if prefecture_name:
                parent, _ = Region.objects.get_or_create(
                    code=f"{code[:2]}{p_index + 1:02d}00",
                    defaults={"name": prefecture_name, "level": 2, "parent": province},
                )
            for c_index, county_name in enumerate(county_names):
                county, _ = Region.objects.get_or_create(
                    code=f"{parent.code[:4]}{c_index + 21:02d}",
                    defaults={"name": county_name, "level": 3, "parent": parent},
                )
                counties.append(county)
                for township_name in place_names(rng, "镇", 6):
                    township = Region.objects.create(
                        name=township_name, level=4, parent=county
                    )
                    villages += [
                        Region.objects.create(name=name, level=5, parent=township)
                        for name in place_names(rng, "村", 8)
                    ]
    return counties, villages


def make_programs(rng: random.Random, counties) -> list:
    from programs.models import Program

    programs, now = [], datetime.now(ZoneInfo("Asia/Shanghai"))
    for county in counties:
        for category, label in rng.sample(sorted(CATEGORIES.items()), 5):
            programs.append(
                Program(
                    title=f"{county.name}{label}：{rng.choice(INDUSTRIES)}带动群众增收",
                    slug=f"bench-{county.code}-{category}",
                    region=county,
                    category=category,
                    summary=f"{county.name}发展{label}，"
                    f"带动{rng.randint(100, 9000)}户贫困户增收。",
                    body=f"{county.name}把{label}作为脱贫攻坚的重要抓手。"
                    f"{rng.choice(CROPS)}和{rng.choice(INDUSTRIES)}是当地的特色产业。",
                    status=Program.Status.PUBLISHED,
                    published_at=now - timedelta(days=rng.randint(30, 1500)),
                )
            )
    return Program.objects.bulk_create(programs)


def story_text(rng, village, township, county, program) -> dict[str, str]:
    def fill(template: str) -> str:
        return template.format(
            village=village.name,
            township=township.name,
            county=county.name,
            program=program.title.split("：")[0],
            category=program.get_category_display(),
            crop=weighted(rng, CROPS),
            industry=weighted(rng, INDUSTRIES),
            measure=weighted(rng, MEASURES),
            cause=weighted(rng, CAUSE_WORDS),
            surname=rng.choice(SURNAMES),
            money=rng.randint(3, 60) * 1000,
            number=rng.randint(20, 900),
            small=rng.randint(2, 9),
            year=rng.randint(2014, 2019),
        )

    # The first sentences in most stories, the last in a few.
    rest = SENTENCES[1:]
    picked = {weighted(rng, rest) for _ in range(rng.randint(6, 10))}
    sentences = [SENTENCES[0], *(s for s in rest if s in picked)]
    return {
        "title": fill(weighted(rng, TITLES)),
        "dek": fill(weighted(rng, DEKS)),
        "body": "".join(fill(s) for s in sentences),
    }


def make_stories(rng: random.Random, n: int, villages, programs) -> None:
    from stories.models import Cause, Story

    by_county = {}
    for program in programs:
        by_county.setdefault(program.region_id, []).append(program)
    from django.db import transaction

    causes = list(Cause.objects.all())
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    for start in range(0, n, 5000):
        batch, links = [], []
        for i in range(start, min(n, start + 5000)):
            village = rng.choice(villages)
            township = village.parent
            county = township.parent
            program = rng.choice(by_county[county.pk])
            batch.append(
                Story(
                    slug=f"bench-{i}",
                    region=village,
                    status=Story.Status.PUBLISHED,
                    # Five years of stories, entered roughly in the order
                    # they were published, as an archive grows.
                    published_at=now
                    - timedelta(minutes=25 * (n - i) + rng.randint(60, 6000)),
                    **story_text(rng, village, township, county, program),
                )
            )
            links.append((program, rng.sample(causes, rng.randint(0, 2))))
        with transaction.atomic():
            write_batch(batch, links)
        print(f"  {start + len(batch)} stories written", end="\r", flush=True)
    print()


def write_batch(batch, links) -> None:
    """Stories without signals (bulk_create): they are indexed afterwards."""
    from stories.models import Story

    batch = Story.objects.bulk_create(batch)
    Story.programs.through.objects.bulk_create(
        Story.programs.through(story_id=s.pk, program_id=p.pk)
        for s, (p, _) in zip(batch, links, strict=True)
    )
    Story.causes.through.objects.bulk_create(
        Story.causes.through(story_id=s.pk, cause_id=c.pk)
        for s, (_, cs) in zip(batch, links, strict=True)
        for c in cs
    )


def index_range(bounds: tuple[int, int]) -> int:
    """In a worker process: index the stories with ids in [low, high)."""
    from search.indexing import index_stories
    from stories.models import Story

    low, high = bounds
    return index_stories(Story.objects.filter(pk__gte=low, pk__lt=high), 1000)


def fill(n: int, workers: int) -> None:
    from django.db import connection, transaction

    rng = random.Random(2019)
    print("emptying the benchmark database")
    with connection.cursor() as cursor:
        # Deleting 100,000 stories one signal at a time would take longer.
        cursor.execute(
            "TRUNCATE search_searchentry, stories_story, programs_program,"
            " programs_region CASCADE"
        )
    started = time.perf_counter()
    # One transaction each: a commit per row would take most of the time.
    with transaction.atomic():
        counties, villages = make_regions(rng)
        programs = make_programs(rng, counties)
    make_stories(rng, n, villages, programs)
    print(f"wrote {n} stories in {time.perf_counter() - started:.0f} s")
    index_all(workers)


def index_all(workers: int) -> None:
    from django.db import connection, connections

    from programs.models import Program
    from search.indexing import index_programs
    from stories.models import Story

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE search_searchentry")
    # The indexing code reads the dictionary from the database: every worker
    # builds its own after the fork.
    ids = list(Story.objects.order_by("pk").values_list("pk", flat=True))
    bounds = [*ids[::2000], ids[-1] + 1]
    connections.close_all()
    with ProcessPoolExecutor(workers) as pool:
        done = 0
        for count in pool.map(index_range, itertools.pairwise(bounds)):
            done += count
            print(f"  {done} stories indexed", end="\r", flush=True)
    print()
    index_programs(Program.objects.all())
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"indexed in {time.perf_counter() - started:.0f} s")


# -- timing --------------------------------------------------------------------


def queries() -> list[tuple[str, dict]]:
    """20 queries a reader might type, with the filters some add."""
    from programs.models import Region

    province = Region.objects.get(code="450000").slug
    village = Region.objects.filter(level=5).order_by("pk")[17].name
    return [
        ("扶贫", {}),  # in nearly every story
        ("低保", {}),
        ("雨露计划", {}),
        ("电商扶贫", {}),
        ("浑源县", {}),  # a county
        ("城口", {}),  # part of a county's name
        (village, {}),  # a village: a few dozen stories
        ("上学", {}),
        ("樱桃", {}),  # a rare word
        ("易地扶贫搬迁", {}),
        ("小米 网店", {}),  # two words
        ("浑源县 电商扶贫", {}),
        ("雨露计划 上学", {}),
        ("低保 残疾人", {}),
        ("合作社 分红 老王", {}),  # three words
        ("茶叶", {"region": province}),  # with a filter
        ("上学", {"year": "2024"}),
        ("搬迁", {"type": "stories"}),
        ("浑元县", {}),  # a typo: no result, suggestions
        ("区块链", {}),  # nothing at all
    ]


def run_query(text: str, params: dict):
    from search.services import ReaderQuery, search
    from stories.forms import StoryFilterForm

    query = ReaderQuery.parse(text)
    filters = StoryFilterForm({"q": text, **params})
    found = search(query, filters=filters, kind=params.get("type", "all"))
    return found, list(found.page.object_list)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(repeat: int) -> None:
    from stories.models import Story

    total = Story.objects.published().count()
    print(f"\n{total} published stories; {repeat} runs per query after one warm-up")
    # Timings on a shared machine mean little without the load they ran under.
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load}\n")
    print(f"{'query':<24} {'results':>8} {'p50 ms':>8} {'p95 ms':>8}")
    all_times, p95s = [], []
    for text, params in queries():
        found, _ = run_query(text, params)  # warm-up
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            run_query(text, params)
            times.append((time.perf_counter() - started) * 1000)
        all_times += times
        p95s.append(percentile(times, 0.95))
        label = text + (" " + " ".join(f"{k}={v}" for k, v in params.items()))
        shown = str(found.counts["all"]) + ("*" if found.suggestions else "")
        print(
            f"{label[:24]:<24} {shown:>8} "
            f"{statistics.median(times):8.1f} {p95s[-1]:8.1f}"
        )
    print("\n* no result: the time includes finding suggestions")
    print(f"p50 over all runs: {statistics.median(all_times):.1f} ms")
    print(
        f"p95 over 20 queries: {percentile(all_times, 0.95):.1f} ms "
        f"(target < {TARGET_MS} ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument(
        "--reindex", action="store_true", help="index the stories already there again"
    )
    args = parser.parse_args()

    ensure_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command

    from stories.models import Story

    call_command("migrate", verbosity=0)
    have = Story.objects.filter(slug__startswith="bench-").count()
    if args.regenerate or have != args.stories:
        fill(args.stories, args.workers)
    elif args.reindex:
        index_all(args.workers)
    measure(args.repeat)


if __name__ == "__main__":
    main()
