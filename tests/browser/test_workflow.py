"""The newsroom's workflow in a real browser: people log in to the admin, write,
send back, fix, publish, and trip over each other's edits.

Screenshots of every step go to pytest's tmp_path; set BROWSER_SHOTS_DIR to
keep a copy somewhere you can look at them (e.g. /tmp/shots/workflow).
"""

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse

from editorial.models import AuditEntry, ReviewNote
from stories.models import Story
from tests.browser.conftest import WIDE
from tests.factories import StoryFactory

pytestmark = pytest.mark.browser

NARROW = 390
# The body textarea; the fieldset around it is also called 正文.
BODY = re.compile("^正文")


@pytest.fixture
def site(live_server, transactional_db):
    return live_server.url


@pytest.fixture
def editors(editor, other_editor):
    return editor, other_editor


class Camera:
    """Full-page screenshots into tmp_path (and BROWSER_SHOTS_DIR if set),
    numbered in the order they were taken."""

    def __init__(self, tmp_path: Path, prefix: str):
        self.prefix = prefix
        self.dirs = [tmp_path / "shots"]
        if os.environ.get("BROWSER_SHOTS_DIR"):
            self.dirs.append(Path(os.environ["BROWSER_SHOTS_DIR"]))
        for folder in self.dirs:
            folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def __call__(self, page, name: str, *, narrow: bool = False) -> None:
        self.count += 1
        for width in (WIDE, NARROW) if narrow else (WIDE,):
            page.set_viewport_size({"width": width, "height": 900})
            image = page.screenshot(full_page=True)
            for folder in self.dirs:
                filename = f"{self.prefix}-{self.count:02d}-{name}-{width}.png"
                (folder / filename).write_bytes(image)
        page.set_viewport_size({"width": WIDE, "height": 900})


def workflow_panel(page):
    return page.get_by_role("region", name="发布流程")


def transition(page, camera, action: str, *, comment: str = "", shot: str = ""):
    """Click a workflow button, look at the confirmation page, confirm."""
    from playwright.sync_api import expect

    workflow_panel(page).get_by_role("link", name=action, exact=True).click()
    expect(page.get_by_text(f"执行“{action}”吗？")).to_be_visible()
    if comment:
        page.get_by_label("需要修改的地方").fill(comment)
    if shot:
        camera(page, shot, narrow=True)
    page.get_by_role("button", name=f"确认{action}").click()
    expect(page.locator(".messagelist .success")).to_contain_text(f"已{action}")


def save_and_continue(page):
    page.get_by_role("button", name="保存并继续编辑").click()


def test_a_story_goes_from_author_to_reviewer_and_back_to_readers(
    visitors, site, author, reviewer, county, tmp_path
):
    from playwright.sync_api import expect

    camera = Camera(tmp_path, "review")

    title = "港南区留守儿童的新书包"
    fixed_body = "九月开学前，村里的孩子都领到了新书包。\n\n他们的父母在广东打工。"

    # The author writes a new story.
    writer = visitors.logged_in(author)
    writer.goto(site + reverse("admin:stories_story_add"))
    writer.get_by_label("标题").fill(title)
    writer.get_by_label("导语").fill("爱心企业为全村孩子送来书包和文具。")
    writer.get_by_role("textbox", name=BODY).fill(
        "九月开学前，村里的孩子都领到了新书包。"
    )
    writer.locator(".field-region .select2-selection").click()
    writer.locator("input[aria-controls='select2-id_region-results']").fill("港南")
    writer.get_by_role("option", name="港南区").click()
    row = writer.locator("#assistance-0")
    row.locator("select[name$='-measure']").select_option(label="社会捐赠")
    row.locator("input[name$='-description']").fill("书包和文具")
    row.locator("input[name$='-provider']").fill("某爱心企业")
    row.locator("input[name$='-value']").fill("1500")
    row.locator("input[name$='-unit']").fill("元")
    camera(writer, "author-writes", narrow=True)
    save_and_continue(writer)
    expect(writer.locator(".messagelist .success")).to_be_visible()
    expect(workflow_panel(writer)).to_contain_text("草稿")
    camera(writer, "author-saved", narrow=True)
    story = Story.objects.get(title=title)
    assert story.created_by == author
    assert story.assistance.get().display == "1500元"
    change_url = site + reverse("admin:stories_story_change", args=[story.pk])

    transition(writer, camera, "提交审核", shot="author-confirms-submit")
    expect(workflow_panel(writer)).to_contain_text("待审核")
    camera(writer, "author-submitted")

    # The reviewer finds it in the list and sends it back with a comment.
    checker = visitors.logged_in(reviewer)
    checker.goto(site + reverse("admin:stories_story_changelist"))
    camera(checker, "reviewer-list")
    checker.get_by_role("link", name=title).click()
    expect(workflow_panel(checker)).to_contain_text("待审核")
    camera(checker, "reviewer-opens", narrow=True)
    comment = "请写明书包是哪家企业捐的，并补充孩子父母的情况。"
    transition(
        checker, camera, "退回修改", comment=comment, shot="reviewer-confirms-send-back"
    )
    expect(workflow_panel(checker)).to_contain_text("草稿")
    camera(checker, "reviewer-sent-back")

    # The author sees the comment, fixes the text and submits again.
    writer.goto(change_url)
    expect(workflow_panel(writer)).to_contain_text(comment)
    expect(workflow_panel(writer)).to_contain_text(f"{reviewer.username} 于")
    camera(writer, "author-sees-comment", narrow=True)
    writer.get_by_role("textbox", name=BODY).fill(fixed_body)
    save_and_continue(writer)
    expect(writer.locator(".messagelist .success")).to_be_visible()
    camera(writer, "author-fixed")
    transition(writer, camera, "提交审核")
    expect(workflow_panel(writer)).to_contain_text("待审核")
    camera(writer, "author-resubmitted")

    # The reviewer publishes it.
    checker.goto(change_url)
    transition(checker, camera, "发布", shot="reviewer-confirms-publish")
    expect(workflow_panel(checker)).to_contain_text("已发布")
    camera(checker, "reviewer-published", narrow=True)

    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED
    assert story.body.replace("\r\n", "\n") == fixed_body
    assert ReviewNote.objects.get().text == comment
    assert list(
        AuditEntry.objects.order_by("pk").values_list("username", "action")
    ) == [
        (author.username, "create"),
        (author.username, "submit"),
        (reviewer.username, "send_back"),
        (author.username, "edit"),
        (author.username, "submit"),
        (reviewer.username, "publish"),
    ]

    # A reader, not logged in, reads it.
    reader = visitors.anonymous(NARROW)
    response = reader.goto(site + story.get_absolute_url())
    assert response.status == 200
    expect(reader.get_by_role("heading", level=1)).to_have_text(title)
    expect(reader.get_by_text("他们的父母在广东打工。")).to_be_visible()
    camera(reader, "reader-reads", narrow=True)


def test_a_stale_form_is_refused_with_the_differences_shown(
    visitors, site, editors, county, tmp_path
):
    from playwright.sync_api import expect

    camera = Camera(tmp_path, "conflict")

    editor, editor2 = editors
    story = StoryFactory(
        title="村里来了电商",
        dek="原来的导语。",
        body="原来的正文。",
        region=county,
        status=Story.Status.DRAFT,
        published_at=None,
    )
    change_url = site + reverse("admin:stories_story_change", args=[story.pk])
    first = visitors.logged_in(editor)
    second = visitors.logged_in(editor2)
    first.goto(change_url)
    second.goto(change_url)
    expect(second.get_by_label("导语")).to_have_value("原来的导语。")
    camera(second, "both-open")

    first.get_by_label("导语").fill("第一位编辑改的导语。")
    save_and_continue(first)
    expect(first.locator(".messagelist .success")).to_be_visible()
    camera(first, "first-saves")

    second.get_by_role("textbox", name=BODY).fill("第二位编辑改的正文。")
    save_and_continue(second)
    alert = second.get_by_role("alert")
    expect(second.get_by_text("保存被拒绝", exact=False)).to_be_visible()
    expect(alert).to_contain_text(f"{editor.username} 于")
    table = alert.get_by_role("table")
    expect(table).to_be_visible()
    # Columns: field | saved | yours | difference.
    saved, yours = 0, 1
    dek = table.get_by_role("row", name=re.compile("^导语")).get_by_role("cell")
    expect(dek.nth(saved)).to_have_text("第一位编辑改的导语。")
    expect(dek.nth(yours)).to_have_text("原来的导语。")
    body = table.get_by_role("row", name=re.compile("^正文")).get_by_role("cell")
    expect(body.nth(saved)).to_have_text("原来的正文。")
    expect(body.nth(yours)).to_have_text("第二位编辑改的正文。")
    # What the second editor typed is still in the form, to copy.
    expect(second.get_by_role("textbox", name=BODY)).to_have_value(
        "第二位编辑改的正文。"
    )
    camera(second, "second-is-refused", narrow=True)

    story.refresh_from_db()
    assert story.dek == "第一位编辑改的导语。"
    assert story.body == "原来的正文。"
