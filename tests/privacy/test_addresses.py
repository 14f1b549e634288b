"""Addresses never carry a name (finding 3): a slug left empty is made from the
title with everyone's names replaced by 某人; a typed slug that spells the name
of anyone the item concerns is refused, in the admin and in imports; the help
texts suggest no one's name; a changed slug leaves the old addresses answering
301 to the new ones. Driven as the roles would: admin POSTs, then what an
anonymous reader gets."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from editorial.services import versions_of
from programs.models import Program, Region
from stories.models import Person, Story
from tests.conftest import staff_user
from tests.editorial.helpers import (
    add_line,
    admin_url,
    change_form_data,
    form_errors,
    transition_url,
)
from tests.imports.conftest import ensure_importers_group
from tests.imports.helpers import rows_to_csv
from tests.test_sharing import expected_modules, parse, qr_modules

pytestmark = pytest.mark.django_db

BOYS_STORY = "jindong-schoolboy-grandparents"
JIANGS_STORY = "zangjingzhuang-millet-online"
YES_STORY = "jindong-job-closer-to-home"
STORY_ADDRESS = re.compile(r"/stories/([a-z0-9-]+)/")


def spells_a_name(slug: str) -> bool:
    """Whether a slug spells 潘长君 (长 read chang or zhang) or 姜瑜 in pinyin."""
    joined = slug.replace("-", "")
    return bool(re.search("(pan)?(chang|zhang)jun|jiangyu", joined))


def read(url: str) -> str:
    response = Client().get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode("utf-8-sig")


def add_story(client, **fields):
    page = client.get(admin_url(Story, "add"))
    data = change_form_data(
        page,
        dek="新学期开始了。",
        body="他回到了学校。",
        region=str(Region.objects.get(code="450803").pk),
        **fields,
    )
    return client.post(admin_url(Story, "add"), data), data


def change(client, obj, **fields):
    page = client.get(admin_url(obj, "change", obj.pk))
    return client.post(
        admin_url(obj, "change", obj.pk), change_form_data(page, **fields)
    )


def slug_errors(response) -> str:
    assert response.status_code == 200, response.status_code
    return " ".join(response.context["adminform"].form.errors.get("slug", []))


# A slug left empty ------------------------------------------------------------


def test_a_blank_slug_has_no_name_on_any_address_readers_get(
    client, demo, editor, reviewer
):
    boy = Person.objects.get(real_name="潘长君")
    client.force_login(editor)
    page = client.get(admin_url(Story, "add"))
    data = change_form_data(
        page,
        title="潘长君的新学期",
        slug="",
        dek="新学期开始了。",
        body="他回到了学校。",
        region=str(Region.objects.get(code="450803").pk),
    )
    add_line(data, "storyperson_set", person=str(boy.pk), role="学生", order="0")
    response = client.post(admin_url(Story, "add"), data)
    assert response.status_code == 302, form_errors(response)
    story = Story.objects.get(title="潘长君的新学期")
    assert story.slug == "mou-ren-de-xin-xue-qi"

    client.force_login(reviewer)
    assert client.post(transition_url(story, "publish")).status_code == 302
    url = f"http://testserver/stories/{story.slug}/"
    html = read(story.get_absolute_url())
    head = parse(html)
    assert head.link("canonical") == head.meta["og:url"] == url
    article = next(d for d in head.json_ld if d.get("@type") == "NewsArticle")
    assert article["mainEntityOfPage"] == url
    assert f'src="/stories/{story.slug}/qr.png"' in html
    qr = Client().get(reverse("stories:qr", args=[story.slug]))
    assert qr_modules(qr.content) == expected_modules(url)
    sitemap = read("/sitemap.xml")
    assert url in sitemap and f"http://testserver/en/stories/{story.slug}/" in sitemap
    assert url in read("/stories/feed/rss/") and url in read("/stories/feed/atom/")
    for text in (html, sitemap, read("/stories/feed/rss/"), read("/")):
        assert not [s for s in STORY_ADDRESS.findall(text) if spells_a_name(s)]


@pytest.mark.parametrize(
    "title",
    [
        "潘长君的新学期",
        "潘長君的新學期",  # traditional characters
        "潘 长 君的新学期",  # spaced out
        "长君的新学期",  # the given name alone
        "姜瑜的网店又上新了",  # an adult who consented to his real name
    ],
)
def test_names_in_a_title_become_mou_ren_in_its_slug(client, demo, editor, title):
    client.force_login(editor)
    response, _data = add_story(client, title=title, slug="")
    assert response.status_code == 302, form_errors(response)
    slug = Story.objects.get(title=title).slug
    assert slug.startswith("mou-ren-")
    assert not spells_a_name(slug)


def test_a_program_title_naming_someone_gets_a_slug_without_the_name(
    client, demo, editor
):
    program = Program.objects.get(slug="hunyuan-ecommerce")
    client.force_login(editor)
    response = change(client, program, title="姜瑜和他的网店", slug="")
    assert response.status_code == 302, form_errors(response)
    program.refresh_from_db()
    assert program.slug == "mou-ren-he-ta-de-wang-dian"


# A typed slug -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "found", "name"),
    [
        ("pan-changjun-school", "pan-changjun", "潘长君"),
        ("changjun-pan", "changjun-pan", "潘长君"),
        ("p-c-j-new-term", "p-c-j", "潘长君"),
        ("grandma-zhang-shidi", "zhang-shidi", "张仕娣"),
    ],
)
def test_a_slug_spelling_the_name_of_someone_in_the_story_is_refused(
    client, demo, editor, slug, found, name
):
    story = Story.objects.get(slug=BOYS_STORY)
    client.force_login(editor)
    errors = slug_errors(change(client, story, slug=slug))
    assert "网址里不能有人名" in errors
    assert f"“{found}”是{name}名字的" in errors
    story.refresh_from_db()
    assert story.slug == BOYS_STORY
    assert Client().get(f"/stories/{slug}/").status_code == 404


def test_a_slug_spelling_a_consenting_adults_name_is_refused_too(client, demo, editor):
    # 姜瑜 consented to his real name, so pages show it; an address must not:
    # it stays when a consent is withdrawn.
    story = Story.objects.get(slug=JIANGS_STORY)
    client.force_login(editor)
    errors = slug_errors(change(client, story, slug="jiang-yu-millet"))
    assert "“jiang-yu”是姜瑜名字的拼音写法" in errors
    story.refresh_from_db()
    assert story.slug == JIANGS_STORY


def test_a_new_story_whose_slug_spells_the_name_in_its_title_is_refused(
    client, demo, editor
):
    client.force_login(editor)
    response, data = add_story(
        client, title="潘长君的新学期", slug="pan-changjun-new-term"
    )
    assert "“pan-changjun”是潘长君名字的拼音写法" in slug_errors(response)
    assert not Story.objects.filter(title="潘长君的新学期").exists()

    data["slug"] = "jindong-new-term"
    response = client.post(admin_url(Story, "add"), data)
    assert response.status_code == 302, form_errors(response)
    assert Story.objects.get(title="潘长君的新学期").slug == "jindong-new-term"


def test_a_program_slug_spelling_a_protected_name_is_refused(client, demo, editor):
    program = Program.objects.get(slug="gangnan-education")
    client.force_login(editor)
    errors = slug_errors(change(client, program, slug="pan-changjun-scholarship"))
    assert "网址里不能有人名" in errors and "潘长君" in errors
    program.refresh_from_db()
    assert program.slug == "gangnan-education"


@pytest.fixture
def importer(db, settings, tmp_path):
    """An editor in the group 导入, with uploads kept in a temporary folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "import_export": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "imports"},
        },
    }
    user = staff_user("importer", "编辑")
    user.groups.add(ensure_importers_group())
    return user


def upload_stories(client, rows: list[list[str]]):
    return client.post(
        reverse("admin:stories_story_import"),
        {
            "resource": "0",
            "format": "3",  # CSV
            "mode": "all",
            "import_file": SimpleUploadedFile("stories.csv", rows_to_csv(rows)),
        },
    )


STORY_COLUMNS = ["网址标识", "标题", "导语", "正文", "地区代码"]


def test_an_import_row_whose_slug_spells_a_name_is_refused(client, demo, importer):
    client.force_login(importer)
    row = ["jiang-yu-online-shop", "姜瑜的网店", "导语。", "正文。", "140225"]
    preview = upload_stories(client, [STORY_COLUMNS, row])
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "“网址标识”：网址里不能有人名：“jiang-yu”是姜瑜名字的拼音写法" in text
    assert not Story.objects.filter(slug="jiang-yu-online-shop").exists()


def test_an_imported_story_without_a_slug_gets_one_without_names(
    client, demo, importer
):
    client.force_login(importer)
    row = ["", "姜瑜的新网店", "导语。", "正文。", "140225"]
    preview = upload_stories(client, [STORY_COLUMNS, row])
    assert preview.status_code == 200
    form = preview.context["confirm_form"]
    response = client.post(
        reverse("admin:stories_story_process_import"),
        {name: form.initial[name] for name in form.fields},
    )
    assert response.status_code == 302
    assert Story.objects.get(title="姜瑜的新网店").slug == "mou-ren-de-xin-wang-dian"


# Help texts ------------------------------------------------------------------------


def test_the_slug_help_texts_suggest_no_ones_name(client, editor):
    client.force_login(editor)
    page = client.get(admin_url(Story, "add"))
    help_text = str(page.context["adminform"].form.fields["slug"].help_text)
    assert "某人" in help_text and "不要用人名" in help_text
    model_help = str(Story._meta.get_field("slug").help_text)
    assert "pan-changjun" not in model_help and "不要用人名" in model_help
    assert "pan-changjun" not in page.content.decode()


# A changed slug ------------------------------------------------------------------


def redirect_of(url: str) -> tuple[int, str]:
    response = Client().get(url)
    return response.status_code, response.get("Location", "")


def test_an_old_story_address_answers_301_to_the_new_one_in_both_languages(
    client, demo, editor
):
    story = Story.objects.get(slug=YES_STORY)
    old = f"/stories/{YES_STORY}/"
    # Kept by the page cache: the change must not leave it answering 200.
    read(old)
    assert Client().get(old)["X-Page-Cache"] == "hit"
    client.force_login(editor)
    assert change(client, story, slug="jindong-new-job").status_code == 302

    assert redirect_of(old) == (301, "/stories/jindong-new-job/")
    assert redirect_of(f"/en{old}") == (301, "/en/stories/jindong-new-job/")
    assert redirect_of(f"{old}qr.png") == (301, "/stories/jindong-new-job/qr.png")
    # WeChat adds ?from=… to every link it shares.
    assert redirect_of(f"{old}?from=singlemessage") == (
        301,
        "/stories/jindong-new-job/?from=singlemessage",
    )
    assert Client().get("/stories/jindong-new-job/").status_code == 200
    assert Client().get("/en/stories/jindong-new-job/").status_code == 200


def test_a_slug_changed_twice_sends_the_first_address_straight_to_the_last(
    client, demo, editor
):
    story = Story.objects.get(slug=YES_STORY)
    client.force_login(editor)
    assert change(client, story, slug="jindong-new-job").status_code == 302
    story.refresh_from_db()
    assert change(client, story, slug="jindong-steady-job").status_code == 302

    assert redirect_of(f"/stories/{YES_STORY}/") == (
        301,
        "/stories/jindong-steady-job/",
    )
    assert redirect_of(f"/en/stories/{YES_STORY}/") == (
        301,
        "/en/stories/jindong-steady-job/",
    )
    assert redirect_of("/stories/jindong-new-job/") == (
        301,
        "/stories/jindong-steady-job/",
    )

    # And back to the first: no loop, the first address is the story's again.
    story.refresh_from_db()
    assert change(client, story, slug=YES_STORY).status_code == 302
    assert Client().get(f"/stories/{YES_STORY}/").status_code == 200
    assert redirect_of("/stories/jindong-steady-job/") == (
        301,
        f"/stories/{YES_STORY}/",
    )
    assert redirect_of("/stories/jindong-new-job/") == (301, f"/stories/{YES_STORY}/")


def test_a_new_story_taking_an_old_slug_wins_over_the_redirect(
    client, demo, editor, reviewer
):
    story = Story.objects.get(slug=YES_STORY)
    client.force_login(editor)
    assert change(client, story, slug="jindong-new-job").status_code == 302
    assert redirect_of(f"/stories/{YES_STORY}/")[0] == 301
    response, _data = add_story(client, title="砖厂的新故事", slug=YES_STORY)
    assert response.status_code == 302, form_errors(response)
    newcomer = Story.objects.get(slug=YES_STORY)
    client.force_login(reviewer)
    assert client.post(transition_url(newcomer, "publish")).status_code == 302

    assert "砖厂的新故事" in read(f"/stories/{YES_STORY}/")


def test_an_old_program_address_and_its_brief_answer_301(client, demo, editor):
    program = Program.objects.get(slug="hunyuan-ecommerce")
    client.force_login(editor)
    assert change(client, program, slug="hunyuan-online-shops").status_code == 302
    program.refresh_from_db()
    assert change(client, program, slug="hunyuan-web-shops").status_code == 302

    for old, new in [
        ("/programs/hunyuan-ecommerce/", "/programs/hunyuan-web-shops/"),
        ("/en/programs/hunyuan-ecommerce/", "/en/programs/hunyuan-web-shops/"),
        ("/programs/hunyuan-ecommerce/brief/", "/programs/hunyuan-web-shops/brief/"),
        (
            "/en/programs/hunyuan-ecommerce/brief/",
            "/en/programs/hunyuan-web-shops/brief/",
        ),
        ("/programs/hunyuan-online-shops/", "/programs/hunyuan-web-shops/"),
    ]:
        assert redirect_of(old) == (301, new)
    assert Client().get("/programs/hunyuan-web-shops/brief/").status_code == 200


def test_restoring_an_old_version_leaves_the_address_it_replaces_redirected(
    client, demo, editor
):
    story = Story.objects.get(slug=YES_STORY)
    client.force_login(editor)
    assert change(client, story, dek="换了工作，日子稳了。").status_code == 302
    story.refresh_from_db()
    assert change(client, story, slug="jindong-new-job").status_code == 302
    with_old_slug = versions_of(story)[1]
    response = client.post(admin_url(story, "restore", story.pk, with_old_slug.pk))
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.slug == YES_STORY
    assert redirect_of("/stories/jindong-new-job/") == (301, f"/stories/{YES_STORY}/")


def test_the_view_on_site_link_stays_on_the_editors_host(client, demo, editor):
    # The sites framework, there for the redirects, knows only example.com.
    story = Story.objects.get(slug=YES_STORY)
    client.force_login(editor)
    page = client.get(admin_url(story, "change", story.pk)).content.decode()
    link = re.search(r'<a href="([^"]+)" class="viewsitelink"', page).group(1)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == f"/stories/{YES_STORY}/"
    assert response.request.get("SERVER_NAME", "testserver") == "testserver"
