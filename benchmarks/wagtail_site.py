"""A stock Wagtail site on this machine, the yardstick of the uncached target.

load_bench.py measures it in the same run as the portal, so that "3× a stock
Wagtail page" compares two figures taken side by side instead of one figure
against another machine's.

What it is, built once under ~/.cache/fupin-portal-bench/wagtail (or
$XDG_CACHE_HOME) and rebuilt when this file's recipe changes:

- a virtualenv of its own with Wagtail 8, and the same Django, gunicorn and
  psycopg releases as the portal's (Wagtail is not one of the portal's
  dependencies; the same releases keep them out of the comparison);
- the project `wagtail start benchsite` writes, unchanged but for one page
  type in `home` (ArticlePage: an intro and a RichTextField body, rendered by
  a template that extends the stock base.html) and a local.py that reads the
  database URL and the secret key from the environment, allows 127.0.0.1 and
  keeps database connections open (CONN_MAX_AGE=60 with health checks), as
  the portal does;
- a PostgreSQL database, `wagtail_bench_<N>`, with N article pages under the
  home page carrying the benchmark stories' own Chinese titles, deks and
  bodies (refilled whenever those differ).

Served by gunicorn with the production settings (DEBUG off), as the portal is.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from search_bench import ensure_database

DATABASE_URL = "postgres://root@127.0.0.1:5432/wagtail_bench_{pages}"
SETTINGS = "benchsite.settings.production"
WSGI_MODULE = "benchsite.wsgi"

ARTICLE_MODEL = '''
from wagtail.fields import RichTextField


class ArticlePage(Page):
    """A page of text: what a newsroom on stock Wagtail would publish."""

    intro = models.CharField(max_length=250, blank=True)
    body = RichTextField(blank=True)

    content_panels = Page.content_panels + ["intro", "body"]
'''

ARTICLE_TEMPLATE = """{% extends "base.html" %}
{% load wagtailcore_tags %}

{% block body_class %}template-articlepage{% endblock %}

{% block content %}
<article>
  <h1>{{ page.title }}</h1>
  <p class="intro">{{ page.intro }}</p>
  {{ page.body|richtext }}
</article>
{% endblock content %}
"""

LOCAL_SETTINGS = """import os

import dj_database_url

DATABASES = {
    "default": dj_database_url.parse(
        os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True
    )
}
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
"""

# Run by the Wagtail virtualenv's Python, in the project: one article page
# per text, the stories' sentences as paragraphs. Prints a page's address.
FILL = """
import html, json, sys
import django
django.setup()
from home.models import ArticlePage, HomePage

with open(sys.argv[1], encoding="utf-8") as texts_file:
    texts = json.load(texts_file)
wanted = [
    (
        text["title"],
        text["dek"],
        "".join(f"<p>{html.escape(s)}。</p>" for s in text["body"].split("。") if s),
    )
    for text in texts
]
pages = ArticlePage.objects.order_by("path")
if list(pages.values_list("title", "intro", "body")) != wanted:
    pages.delete()
    home = HomePage.objects.get()
    for i, (title, intro, body) in enumerate(wanted):
        page = ArticlePage(title=title, slug=f"article-{i}", intro=intro, body=body)
        home.add_child(instance=page)
    print(f"filled {len(wanted)} Wagtail pages", file=sys.stderr)
print(pages.live()[len(wanted) // 2].url)
"""


@dataclass
class WagtailSite:
    python: Path
    project: Path
    env: dict[str, str]
    path: str  # a page from the middle of the site


def packages() -> list[str]:
    """Wagtail 8 with the portal's own releases of what both run on."""
    same = [f"{name}=={version(name)}" for name in ("django", "gunicorn")]
    psycopg = f"psycopg[binary]=={version('psycopg')}"
    return ["wagtail>=8,<9", *same, psycopg, "dj-database-url"]


def recipe() -> str:
    """What the virtualenv and the project are made from: a change rebuilds them."""
    parts = [*packages(), ARTICLE_MODEL, ARTICLE_TEMPLATE, LOCAL_SETTINGS]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "fupin-portal-bench" / "wagtail"


def run(command: list, **kwargs) -> str:
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, **kwargs)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} failed (see above)")
    return done.stdout


def server_env(database_url: str) -> dict[str, str]:
    """The environment of every Wagtail command: none of the portal's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.pop("VIRTUAL_ENV", None)
    env["DATABASE_URL"] = database_url
    env["DJANGO_SETTINGS_MODULE"] = SETTINGS
    # The fixed key of a throwaway benchmark site that never leaves 127.0.0.1.
    env["DJANGO_SECRET_KEY"] = "wagtail-bench-" + "k" * 40
    return env


def ensure_built(folder: Path, env: dict[str, str]) -> tuple[Path, Path]:
    """The virtualenv's Python and the project, rebuilt if the recipe changed.
    Built beside and renamed into place: a build that fails half-way leaves
    nothing a later run would take for a finished one."""
    site = folder / "site"
    stamp = site / "recipe.txt"
    if not stamp.exists() or stamp.read_text() != recipe():
        print("building the stock Wagtail site (once)", file=sys.stderr, flush=True)
        building = Path(tempfile.mkdtemp(prefix="site-", dir=folder))
        try:
            make_site(building, env)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        # Only `python -m` is used after the move: a virtualenv's scripts keep
        # the path they were installed at, its Python finds its packages.
        shutil.rmtree(site, ignore_errors=True)
        building.rename(site)
    return site / "venv" / "bin" / "python", site / "project"


def make_site(folder: Path, env: dict[str, str]) -> None:
    """The virtualenv and the project, in folder, with the recipe they follow."""
    python = folder / "venv" / "bin" / "python"
    run([sys.executable, "-m", "venv", str(folder / "venv")])
    run([str(python), "-m", "pip", "install", "-q", *packages()])
    project = folder / "project"
    project.mkdir()
    run([str(python.parent / "wagtail"), "start", "benchsite", str(project)], env=env)
    with (project / "home" / "models.py").open("a") as models:
        models.write(ARTICLE_MODEL)
    template = project / "home" / "templates" / "home" / "article_page.html"
    template.write_text(ARTICLE_TEMPLATE)
    (project / "benchsite" / "settings" / "local.py").write_text(LOCAL_SETTINGS)
    (folder / "recipe.txt").write_text(recipe())


def build(texts: list[dict[str, str]]) -> WagtailSite:
    """The site with one article page per text, built or brought up to date."""
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    url = DATABASE_URL.format(pages=len(texts))
    env = server_env(url)
    python, project = ensure_built(folder, env)
    ensure_database(url)
    manage = [str(python), "manage.py"]
    run([*manage, "makemigrations", "home", "-v", "0"], cwd=project, env=env)
    run([*manage, "migrate", "-v", "0"], cwd=project, env=env)
    # ManifestStaticFilesStorage: base.html's {% static %} needs the manifest.
    run([*manage, "collectstatic", "--noinput", "-v", "0"], cwd=project, env=env)
    texts_file = folder / "texts.json"
    texts_file.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    page = run([str(python), "-c", FILL, str(texts_file)], cwd=project, env=env)
    return WagtailSite(python, project, env, page.strip().splitlines()[-1])
