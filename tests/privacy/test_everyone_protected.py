"""Protection that holds under ordinary editing: everyone a story concerns is
protected, not only its featured people (finding 2); a child never gets
initials (finding 5); a withdrawal takes the story down (finding 6); a name in
any spelling is replaced or stops the story (finding 7); downloads redact what
the page redacts (finding 10). Each is driven as the role would: admin POSTs,
then what an anonymous reader gets."""

import datetime
import json
import re
from io import BytesIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from editorial.models import AuditEntry
from privacy.models import Consent
from programs.models import Program
from programs.spreadsheets import XLSX
from search import indexing
from stories.models import Person, Story
from stories.resources import StoryResource
from tests.editorial.helpers import (
    add_line,
    admin_url,
    change_form_data,
    form_errors,
    line,
    transition_url,
)
from tests.factories import (
    ConsentFactory,
    HouseholdFactory,
    PersonFactory,
    StoryFactory,
    StoryPersonFactory,
)
from tests.imports.helpers import messages, rows_to_xlsx

pytestmark = pytest.mark.django_db

RESULT_LINK = re.compile(r'<li class="search-result">\s*<h3[^>]*><a href="([^"]+)"')


def read(url: str) -> str:
    response = Client().get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode("utf-8-sig")


def found_by_search(term: str) -> list[str]:
    return RESULT_LINK.findall(read(f"/search/?q={term}"))


def save_in_admin(client, obj, **fields):
    """POST an object's admin change form back with some fields changed, as
    the logged-in user would."""
    url = admin_url(obj, "change", obj.pk)
    return client.post(url, change_form_data(client.get(url), **fields))


def png(name: str) -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


# Finding 2: people who are not featured ----------------------------------------


@pytest.fixture
def family_story(db):
    """A published story featuring 王大明, who consented to everything. His
    daughter 王小花 (9) and his neighbour 李春生 are not featured: the
    guardian agreed to her allowance being published, not her name; the
    neighbour agreed to photos and figures, not his name."""
    story = StoryFactory(
        title="王大明家的新房", dek="搬进新房。", body="一家人搬进了新房。"
    )
    father = PersonFactory(real_name="王大明", birth_year=1980)
    ConsentFactory(person=father)
    StoryPersonFactory(story=story, person=father)
    daughter = PersonFactory(
        real_name="王小花",
        birth_year=None,
        age=9,
        age_as_of=datetime.date(2019, 10, 1),
        household=HouseholdFactory(),
    )
    ConsentFactory(
        person=daughter,
        guardian=True,
        covers_real_name=False,
        covers_photo=False,
        covers_health=False,
    )
    neighbour = PersonFactory(real_name="李春生", birth_year=1970)
    ConsentFactory(person=neighbour, covers_real_name=False)
    return story, daughter, neighbour


def test_lines_about_people_a_story_does_not_feature_show_no_name(
    client, editor, family_story
):
    story, daughter, neighbour = family_story
    client.force_login(editor)
    page = client.get(admin_url(story, "change", story.pk))
    data = change_form_data(page)
    add_line(
        data,
        "assistance",
        **line(description="王小花的秋季学期助学金", recipient=str(daughter.pk)),
    )
    add_line(
        data,
        "outcomes",
        person=str(neighbour.pk),
        description="李春生在新房旁开的小卖部月收入",
        value="800",
        qualifier="exact",
        unit="元",
        period_label="每月",
        order="0",
    )
    add_line(
        data,
        "photos",
        image=png("wang-xiaohua-li-chunsheng.png"),
        caption="李春生帮王大明一家搬家。",
        credit="本报记者摄",
        alt_text="李春生扛着柜子走进新房",
        people_shown=[str(neighbour.pk)],
        order="0",
    )
    response = client.post(admin_url(story, "change", story.pk), data)
    assert response.status_code == 302, form_errors(response)

    outputs = {
        "page": read(story.get_absolute_url()),
        "list": read("/stories/"),
        "assistance.csv": read("/stories/assistance.csv"),
        "assistance.json": read("/stories/assistance.json"),
        "feed": read("/stories/feed/rss/"),
    }
    for where, text in outputs.items():
        for name in ("王小花", "小花", "李春生", "春生"):
            assert name not in text, (where, name)
    page = outputs["page"]
    assert "王某的秋季学期助学金" in page  # the line's own description
    assert "李某帮王大明一家搬家" in page  # the caption
    assert 'alt="李某扛着柜子走进新房"' in page
    assert 'property="og:image:alt" content="李某扛着柜子走进新房"' in page
    assert "李某在新房旁开的小卖部月收入" in page
    records = json.loads(outputs["assistance.json"])["records"]
    assert [r["description"] for r in records] == ["王某的秋季学期助学金"]
    for name in ("王小花", "李春生"):
        assert story.get_absolute_url() not in found_by_search(name)


# Finding 5: children never get initials ------------------------------------------


def test_a_child_under_the_initials_policy_is_shown_by_surname(client, demo, reviewer):
    child = Person.objects.get(real_name="潘长君")
    client.force_login(reviewer)
    response = save_in_admin(client, child, display_policy="initials")
    assert response.status_code == 302, form_errors(response)

    text = read(
        Story.objects.get(slug="jindong-schoolboy-grandparents").get_absolute_url()
    )
    assert "P.C.J." not in text
    assert "潘某" in text


# Finding 7: every spelling ------------------------------------------------------


def test_a_name_in_traditional_or_spaced_characters_is_replaced_like_the_name(
    client, demo, editor
):
    story = Story.objects.get(slug="jindong-schoolboy-grandparents")
    client.force_login(editor)
    body = story.body + "\n\n潘長君的奶奶說，潘 长 君和潘·長君都是他。"
    response = save_in_admin(client, story, body=body)
    assert response.status_code == 302, form_errors(response)

    text = read(story.get_absolute_url())
    for spelling in ("潘長君", "潘 长 君", "潘·長君", "長君"):
        assert spelling not in text
    assert "潘某的奶奶說，潘某和潘某都是他" in text
    for spelling in ("潘長君", "潘长君", "長君"):
        assert story.get_absolute_url() not in found_by_search(spelling)


@pytest.fixture
def authors_draft(author, demo):
    """The author's own draft, about to be about 潘长君 (13, his name not
    consented to)."""
    return StoryFactory(
        title="新学期",
        slug="new-term",
        status=Story.Status.DRAFT,
        published_at=None,
        created_by=author,
    )


@pytest.mark.parametrize(
    ("field", "spelling"),
    [
        ("body", "记者见到了Pan Changjun。"),
        ("body", "Changjun PAN 在市里读书。"),
        ("dek", "pānchángjūn的新学期"),
        ("body", "P.C.J. 今年13岁。"),
        ("title", "潘，长，君的新学期"),
    ],
)
def test_a_spelling_that_cannot_be_replaced_stops_submission_and_says_where(
    client, author, reviewer, authors_draft, field, spelling
):
    # The text and the person arrive in one save: the text is checked against
    # the people the story already had, and again when it is submitted.
    client.force_login(author)
    page = client.get(admin_url(authors_draft, "change", authors_draft.pk))
    data = change_form_data(page, **{field: spelling})
    child = Person.objects.get(real_name="潘长君")
    add_line(data, "storyperson_set", person=str(child.pk), role="学生", order="0")
    response = client.post(admin_url(authors_draft, "change", authors_draft.pk), data)
    assert response.status_code == 302, form_errors(response)

    response = client.post(transition_url(authors_draft, "submit"))
    assert response.status_code == 200
    text = response.content.decode()
    label = {"body": "正文", "dek": "导语", "title": "标题"}[field]
    found = re.search(
        r"(Pan Changjun|Changjun PAN|pānchángjūn|P\.C\.J\.|潘，长，君)", spelling
    )
    assert f"{label}里的“{found.group()}”是潘长君名字的写法" in text
    authors_draft.refresh_from_db()
    assert authors_draft.status == Story.Status.DRAFT

    # A reviewer cannot publish it either.
    reviewer_client = Client()
    reviewer_client.force_login(reviewer)
    response = reviewer_client.post(transition_url(authors_draft, "publish"))
    assert "是潘长君名字的写法" in response.content.decode()
    authors_draft.refresh_from_db()
    assert authors_draft.status == Story.Status.DRAFT


def test_a_protected_name_in_pinyin_is_never_found_by_search(client, demo):
    # Written straight to the database, as an old import could have.
    Story.objects.filter(slug="jindong-schoolboy-grandparents").update(
        body="Pan Changjun 和爷爷奶奶一起生活。"
    )
    indexing.index_stories(Story.objects.filter(slug="jindong-schoolboy-grandparents"))
    url = Story.objects.get(slug="jindong-schoolboy-grandparents").get_absolute_url()
    for term in ("Pan Changjun", "Changjun", "pan"):
        assert url not in found_by_search(term), term


# Finding 6: a withdrawal takes the story down ----------------------------------


def ye_withdraws(client, editor, django_capture_on_commit_callbacks, day) -> Story:
    """An editor records 叶寿恒's withdrawal of his consent on the person page."""
    person = Person.objects.get(real_name="叶寿恒")
    client.force_login(editor)
    page = client.get(admin_url(person, "change", person.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            admin_url(person, "change", person.pk),
            change_form_data(page, **{"consents-0-withdrawn_on": day.isoformat()}),
        )
    assert response.status_code == 302, form_errors(response)
    return Story.objects.get(slug="jindong-job-closer-to-home")


def public_outputs() -> dict[str, str]:
    return {
        url: read(url)
        for url in [
            "/",
            "/stories/",
            "/stories/feed/rss/",
            "/stories/feed/atom/",
            "/sitemap.xml",
            "/stories/assistance.json",
            "/search/?q=木板厂",
        ]
    }


def test_a_withdrawn_consent_takes_the_story_off_every_public_output_and_back_to_review(
    client, demo, editor, reviewer, django_capture_on_commit_callbacks
):
    before = public_outputs()
    assert any("3000" in text for text in before.values())
    story = ye_withdraws(
        client, editor, django_capture_on_commit_callbacks, timezone.localdate()
    )

    assert story.status == Story.Status.REVIEW
    assert Client().get(story.get_absolute_url()).status_code == 404
    for url, text in public_outputs().items():
        assert story.get_absolute_url() not in text, url
        assert "每月基本收入3000元" not in text, url
    entry = AuditEntry.objects.get(action=AuditEntry.Action.TAKE_DOWN)
    assert entry.object_id == str(story.pk)

    client.force_login(reviewer)
    text = client.get(admin_url(story, "change", story.pk)).content.decode()
    assert "自动下线" in text
    assert "叶寿恒：同意不再包括" in text


def test_a_withdrawal_from_a_later_day_takes_the_story_down_that_day_without_a_save(
    client, demo, editor, django_capture_on_commit_callbacks
):
    day = timezone.localdate() + datetime.timedelta(days=3)
    story = ye_withdraws(client, editor, django_capture_on_commit_callbacks, day)
    assert story.status == Story.Status.PUBLISHED
    assert "每月基本收入3000元" in read(story.get_absolute_url())

    with time_machine.travel(timezone.now() + datetime.timedelta(days=3, hours=1)):
        assert Client().get(story.get_absolute_url()).status_code == 404
        assert story.get_absolute_url() not in read("/stories/")
        assert story.get_absolute_url() not in read("/sitemap.xml")
        # Staff opening the admin see it back in review, with the reason.
        text = client.get(admin_url(story, "change", story.pk)).content.decode()
        story.refresh_from_db()
        assert story.status == Story.Status.REVIEW
        assert "发布所依据的同意不再有效" in text


def test_a_consent_that_still_holds_leaves_the_story_up(
    client, demo, editor, django_capture_on_commit_callbacks
):
    person = Person.objects.get(real_name="叶寿恒")
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = save_in_admin(client, person, **{"consents-0-notes": "复核无误。"})
    assert response.status_code == 302, form_errors(response)
    story = Story.objects.get(slug="jindong-job-closer-to-home")
    assert story.status == Story.Status.PUBLISHED
    assert Consent.objects.get(person=person).notes == "复核无误。"


# Finding 10: downloads redact the source -----------------------------------------


def test_the_assistance_downloads_redact_the_source_publication(client, demo, editor):
    story = Story.objects.get(slug="jindong-schoolboy-grandparents")
    client.force_login(editor)
    response = save_in_admin(client, story, source_publication="潘蔼章家的扶贫手册")
    assert response.status_code == 302, form_errors(response)
    for url in ("/stories/assistance.csv", "/stories/assistance.json"):
        text = read(url)
        assert "潘蔼章" not in text
        assert "潘某家的扶贫手册" in text


# Checked where it is written: the admin and imports ---------------------------


def test_an_editor_cannot_save_a_protected_name_in_pinyin_into_a_live_story(
    client, demo, editor
):
    story = Story.objects.get(slug="jindong-schoolboy-grandparents")
    client.force_login(editor)
    page = client.get(admin_url(story, "change", story.pk))
    data = change_form_data(page, body=story.body + "\n\n记者又见到了Pan Changjun。")
    index = int(data["assistance-TOTAL_FORMS"]) - 1
    data[f"assistance-{index}-provider"] = "Zhang Shidi 的亲戚"
    response = client.post(admin_url(story, "change", story.pk), data)

    assert response.status_code == 200
    text = response.content.decode()
    assert "“Pan Changjun”是潘长君名字的写法（拼音）" in text
    assert "“Zhang Shidi”是张仕娣名字的写法（拼音）" in text
    story.refresh_from_db()
    assert "Pan Changjun" not in story.body
    assert "Pan Changjun" not in read(story.get_absolute_url())


def test_an_import_row_that_spells_a_protected_name_in_pinyin_is_refused(demo):

    story = Story.objects.get(slug="jindong-schoolboy-grandparents")
    rows = [
        ["网址标识", "标题", "导语", "正文", "地区代码"],
        [story.slug, story.title, "Pan Changjun 的新学期。", story.body, ""],
    ]
    rows[1][4] = story.region.code or ""
    result = StoryResource().import_data(
        XLSX().create_dataset(rows_to_xlsx(rows)), dry_run=True
    )
    assert result.has_validation_errors() or result.has_errors()
    assert any("“Pan Changjun”是潘长君名字的写法" in m for m in messages(result))


def test_a_program_that_spells_a_protected_name_in_pinyin_is_refused(
    client, demo, editor
):
    program = Program.objects.get(slug="gangnan-education")
    client.force_login(editor)
    response = save_in_admin(
        client, program, summary=program.summary + "受助学生有Pan Changjun。"
    )
    assert response.status_code == 200
    assert "“Pan Changjun”是潘长君名字的写法（拼音）" in response.content.decode()


# A change that shows more than was reviewed is a reviewer's ---------------------


def test_an_editor_may_not_unmask_people_of_a_live_story_and_is_told_why(
    client, demo, editor, django_capture_on_commit_callbacks
):
    grandfather = Person.objects.get(real_name="潘蔼章")
    client.force_login(editor)
    page = client.get(admin_url(grandfather, "change", grandfather.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            admin_url(grandfather, "change", grandfather.pk),
            change_form_data(page, household=""),
        )

    assert response.status_code == 200
    text = response.content.decode()
    assert "需要审核人员来改" in text
    assert "潘蔼章：读者将看到真实姓名（审核时显示为“潘某”）" in text
    grandfather.refresh_from_db()
    assert grandfather.household_id is not None
    story = Story.objects.get(slug="jindong-schoolboy-grandparents")
    assert story.status == Story.Status.PUBLISHED
    assert "潘蔼章" not in read(story.get_absolute_url())


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("潘长君", {"age": "", "age_as_of": ""}),
        ("潘长君", {"display_policy": "pseudonym", "pseudonym": "小潘"}),
        ("张仕娣", {"display_policy": "pseudonym", "pseudonym": "张奶奶"}),
    ],
)
def test_an_editors_change_that_shows_more_is_refused_and_nothing_saved(
    client, demo, editor, name, change
):
    person = Person.objects.get(real_name=name)
    before = Person.objects.filter(pk=person.pk).values().get()
    client.force_login(editor)
    response = save_in_admin(client, person, **change)
    assert response.status_code == 200
    assert "需要审核人员来改" in response.content.decode()
    assert Person.objects.filter(pk=person.pk).values().get() == before


def test_an_editor_may_not_record_a_consent_that_unmasks_a_child_but_a_reviewer_may(
    client, demo, editor, reviewer, django_capture_on_commit_callbacks
):
    child = Person.objects.get(real_name="潘长君")
    consent = Consent.objects.get(person=child)
    url = admin_url(consent, "change", consent.pk)
    client.force_login(editor)
    response = client.post(url, change_form_data(client.get(url), covers_photo="on"))
    assert response.status_code == 200
    assert "潘长君：同意新增了照片" in response.content.decode()
    assert not Consent.objects.get(pk=consent.pk).covers_photo

    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, change_form_data(client.get(url), covers_photo="on")
        )
    assert response.status_code == 302, form_errors(response)
    story = Story.objects.get(slug="jindong-schoolboy-grandparents")
    assert story.status == Story.Status.PUBLISHED
    assert "photo" in story.reviewed_people[str(child.pk)]["scopes"]


def test_an_address_that_spells_someone_added_with_it_stops_submission(
    client, author, authors_draft
):
    client.force_login(author)
    url = admin_url(authors_draft, "change", authors_draft.pk)
    data = change_form_data(client.get(url), slug="changjun-new-term")
    child = Person.objects.get(real_name="潘长君")
    add_line(data, "storyperson_set", person=str(child.pk), role="学生", order="0")
    assert client.post(url, data).status_code == 302

    response = client.post(transition_url(authors_draft, "submit"))
    assert "网址里不能有人名：“changjun”是潘长君名字的" in response.content.decode()
    authors_draft.refresh_from_db()
    assert authors_draft.status == Story.Status.DRAFT
