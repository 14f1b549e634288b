"""The English interface: a complete catalogue, a compiled file that matches it,
and English pages whose only Chinese is the content.

The compiled `django.mo` is committed (a newcomer may not have gettext), so these
tests catch a .po edited without running `make messages`.
"""

import ast
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from programs.models import Program, Region
from stories.models import Story

PO_FILE = Path(settings.BASE_DIR) / "locale/en/LC_MESSAGES/django.po"
BASE_TEMPLATE = Path(settings.BASE_DIR) / "templates/base.html"
CJK = re.compile(r"[\u3400-\u9fff]+")
PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)


def read_po(path: Path = PO_FILE) -> list[Entry]:
    """The catalogue's entries, header and obsolete (#~) entries left out.

    Just enough of the PO format for what makemessages writes: polib would do
    too, but is not worth a dependency for one test."""
    entries, entry, key = [], Entry(), None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry.msgid:
                entries.append(entry)
            entry, key = Entry(), None
        elif line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if isinstance(key, int):
                entry.msgstr[key] += text
            else:
                setattr(entry, key, getattr(entry, key) + text)
        else:
            keyword, text = line.split(" ", 1)
            text = ast.literal_eval(text)
            if keyword.startswith("msgstr"):
                key = int(keyword[7:-1]) if "[" in keyword else 0
                entry.msgstr[key] = text
            else:
                key = keyword
                setattr(entry, key, text)
    return entries


def test_every_interface_string_has_an_english_translation():
    entries = read_po()
    untranslated = [e.msgid for e in entries if not all(e.msgstr.values())]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert entries
    assert untranslated == []
    assert fuzzy == []


def test_translations_keep_every_placeholder():
    for entry in read_po():
        for n, msgstr in entry.msgstr.items():
            if not msgstr:
                continue  # reported by the test above
            source = entry.msgid_plural if n and entry.msgid_plural else entry.msgid
            assert sorted(PLACEHOLDER.findall(msgstr)) == sorted(
                PLACEHOLDER.findall(source)
            ), entry.msgid


def test_the_committed_mo_file_is_compiled_from_the_current_po_file():
    with translation.override("en"):
        # Untranslated and fuzzy entries are reported by the first test.
        done = [
            e for e in read_po() if all(e.msgstr.values()) and "fuzzy" not in e.flags
        ]
        for e in done:
            if e.msgid_plural is not None:
                for n, count in ((0, 1), (1, 2)):
                    got = (
                        translation.npgettext(e.msgctxt, e.msgid, e.msgid_plural, count)
                        if e.msgctxt
                        else translation.ngettext(e.msgid, e.msgid_plural, count)
                    )
                    assert got == e.msgstr[n], f"run `make messages`: {e.msgid}"
            else:
                got = (
                    translation.pgettext(e.msgctxt, e.msgid)
                    if e.msgctxt
                    else translation.gettext(e.msgid)
                )
                assert got == e.msgstr[0], f"run `make messages`: {e.msgid}"


# Pages ---------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSite:
    english: dict[str, str]  # page name -> HTML, unescaped
    chinese: dict[str, str]
    content: str  # every text the editors wrote
    story_texts: list[str]  # the story page's title and dek as readers see them


def site_content() -> str:
    """Every text the editors wrote, as one string: an interface string that
    also occurs here may rightly show in Chinese on an English page."""
    texts = []
    for app in ("programs", "stories"):
        for model in apps.get_app_config(app).get_models():
            names = [
                f.name
                for f in model._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField)
            ]
            for row in model.objects.values_list(*names):
                texts += [str(value) for value in row if value]
    return "\n".join(texts)


def page_urls(language: str) -> dict[str, str]:
    story = Story.objects.published().get(people__real_name="潘长君")
    with translation.override(language):
        return {
            "home": reverse("home"),
            "story list": reverse("stories:list"),
            "story": story.get_absolute_url(),
            "program": Program.objects.published().first().get_absolute_url(),
            "region": Region.objects.get(code="500229").get_absolute_url(),
        }


def render(urls: dict[str, str]) -> dict[str, str]:
    client = Client()
    pages = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, url
        pages[name] = html.unescape(response.text)
    return pages


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory) -> DemoSite:
    """The demo pages in both languages, rendered once for the module (the demo
    takes seconds to load) and rolled back afterwards.

    pytest-django creates the test database only for tests marked for database
    access: the tests using this fixture carry `django_db`, or it would load the
    demo into the development database."""
    plain_static = {
        **settings.STORAGES,
        # As in tests/conftest.py: the hashed-name storage needs collectstatic.
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(STORAGES=plain_static, MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        call_command("load_demo", verbosity=0)
        story = Story.objects.published().get(people__real_name="潘长君")
        demo = DemoSite(
            english=render(page_urls("en")),
            chinese=render(page_urls(settings.LANGUAGE_CODE)),
            content=site_content(),
            story_texts=[story.redact(story.title), story.redact(story.dek)],
        )
        transaction.set_rollback(True)
    return demo


def shown_pattern(msgid: str) -> re.Pattern | None:
    """How an interface string looks on a page, its placeholders filled in;
    None for one with too little Chinese of its own to tell it from content."""
    fixed = PLACEHOLDER.split(msgid)
    if sum(len(run) for part in fixed for run in CJK.findall(part)) < 2:
        return None
    return re.compile(".{0,80}?".join(re.escape(part) for part in fixed), re.S)


def chrome(page: str) -> str:
    """What base.html puts around every reader page: the skip link, header and
    footer (the head and the main part hold content)."""
    return re.sub(r"<head>.*?</head>|<main .*?</main>", "", page, flags=re.S)


@pytest.mark.django_db
def test_english_pages_show_no_chinese_interface_string(site):
    interface = [
        (e.msgid, pattern)
        for e in read_po()
        if (pattern := shown_pattern(e.msgid)) and not pattern.search(site.content)
    ]
    assert len(interface) > 100
    for name, page in site.english.items():
        assert '<html lang="en">' in page, name
        shown = [msgid for msgid, pattern in interface if pattern.search(page)]
        assert shown == [], name


@pytest.mark.django_db
def test_english_header_and_footer_have_no_chinese_but_the_language_name(site):
    # Chinese in an English translation is only ever a quoted example
    # ("4600多万元"), and the language switch names 简体中文 in Chinese.
    examples = {
        run for e in read_po() for s in e.msgstr.values() for run in CJK.findall(s)
    }
    for name, page in site.english.items():
        assert "Skip to main content" in chrome(page), name
        for text in ("Home", "Stories", "Programs", "Regions", "Sitemap"):
            assert f">{text}</a>" in chrome(page), name
        assert set(CJK.findall(chrome(page))) <= examples | {"简体中文"}, name


@pytest.mark.django_db
def test_english_story_page_shows_the_story_in_chinese(site):
    page = site.english["story"]
    for text in site.story_texts:
        assert text in page
    assert "潘长君" not in page


@pytest.mark.django_db
def test_chinese_pages_keep_the_chinese_interface(site):
    base_strings = re.findall(r'{% translate "([^"]+)" %}', BASE_TEMPLATE.read_text())
    with translation.override("en"):
        english = {translation.gettext(s) for s in base_strings} - set(base_strings)
    assert "Skip to main content" in english
    for name, page in site.chinese.items():
        assert '<html lang="zh-Hans">' in page, name
        for text in ("跳到正文", "人物故事", "扶贫项目", "首页"):
            assert text in chrome(page), name
        assert [s for s in english if s in page] == [], name
    assert site.story_texts[0] in site.chinese["story"]
