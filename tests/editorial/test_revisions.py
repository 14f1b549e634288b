"""Revisions: every admin save is a version, inlines included; two versions can
be compared readably, an old one restored as a new draft, and a deleted story
recovered from the trash."""

import re

import pytest
from reversion.models import Version

from editorial import services
from stories.models import Assistance, Story
from tests.editorial.helpers import (
    FIRST_BODY,
    Status,
    add_line,
    admin_url,
    change_form_data,
    create_story,
    form_errors,
    line,
    line_index,
)
from tests.factories import AssistanceFactory, StoryFactory

pytestmark = pytest.mark.django_db

SECOND_BODY = "黄阿姨家的四个孩子都在上学。\n\n村里帮她找到了工作。"


def edit_story(client, story, change=None, **overrides) -> None:
    page = client.get(admin_url(story, "change", story.pk))
    data = change_form_data(page, **overrides)
    if change:
        change(data)
    response = client.post(admin_url(story, "change", story.pk), data)
    assert response.status_code == 302, form_errors(response)


@pytest.fixture
def history(client, editor, county):
    """A story saved three times in the admin by an editor:
    1. created with one assistance line of 1500元 (秋季学期助学金);
    2. body changed, that line raised to 2000元, a 低保 line added;
    3. the 助学金 line removed."""
    client.force_login(editor)
    story = create_story(client, county)

    def second(data):
        index = line_index(data, "assistance", "description", "秋季学期助学金")
        data[f"assistance-{index}-value"] = "2000"
        add_line(data, "assistance", **line(measure="minimum_living", value="648"))

    edit_story(client, story, second, body=SECOND_BODY)

    def third(data):
        index = line_index(data, "assistance", "description", "秋季学期助学金")
        data[f"assistance-{index}-DELETE"] = "on"

    edit_story(client, story, third)
    story.refresh_from_db()
    versions = list(reversed(services.versions_of(story)))
    assert len(versions) == 3
    return story, versions


def lines_of(story) -> list[tuple[str, str, str]]:
    return sorted((a.measure, a.description, a.display) for a in story.assistance.all())


def version_lines(version) -> list[str]:
    return sorted(
        v.object_repr
        for v in version.revision.version_set.all()
        if v.content_type.model_class() is Assistance
    )


def test_creating_in_the_admin_saves_a_first_version_with_its_lines(
    client, editor, county
):
    client.force_login(editor)
    story = create_story(client, county)
    (version,) = services.versions_of(story)
    assert version.field_dict["body"] == FIRST_BODY
    assert version.revision.user == editor
    assert version_lines(version) == ["教育补助 1500元"]


def test_each_admin_save_adds_a_version_with_the_lines_as_they_were(history):
    story, (first, second, third) = history
    assert first.field_dict["body"] == FIRST_BODY
    assert second.field_dict["body"] == SECOND_BODY
    assert version_lines(first) == ["教育补助 1500元"]
    assert version_lines(second) == ["教育补助 2000元", "最低生活保障（低保） 648元"]
    assert version_lines(third) == ["最低生活保障（低保） 648元"]


def test_changing_only_an_assistance_line_still_makes_a_version(client, editor, county):
    client.force_login(editor)
    story = create_story(client, county)

    def raise_aid(data):
        data["assistance-0-value"] = "1800"

    edit_story(client, story, raise_aid)
    newest = services.versions_of(story).first()
    assert version_lines(newest) == ["教育补助 1800元"]


def test_the_history_page_lists_every_version_with_who_and_when(
    client, history, editor
):
    story, versions = history
    page = client.get(admin_url(story, "history", story.pk))
    assert page.status_code == 200
    for version in versions:
        assert f'name="a" value="{version.pk}"' in page.text
        assert f'name="b" value="{version.pk}"' in page.text
    assert page.text.count(">editor<") >= 3
    assert admin_url(story, "compare", story.pk) in page.text
    # Every version but the newest may be restored.
    restore_links = re.findall(r"/restore/(\d+)/", page.text)
    assert sorted(map(int, restore_links)) == sorted(v.pk for v in versions[:-1])


def test_an_author_sees_history_but_cannot_restore_a_submitted_story(
    client, author, history
):
    story, versions = history
    Story.objects.filter(pk=story.pk).update(created_by=author, status=Status.REVIEW)
    client.force_login(author)
    page = client.get(admin_url(story, "history", story.pk))
    assert page.status_code == 200
    assert "/restore/" not in page.text
    url = admin_url(story, "restore", story.pk, versions[0].pk)
    assert client.post(url).status_code == 403
    assert Story.objects.get(pk=story.pk).body == SECOND_BODY


def compare(client, story, older, newer):
    return client.get(
        admin_url(story, "compare", story.pk), {"a": older.pk, "b": newer.pk}
    )


def test_comparing_shows_the_text_change_as_deleted_and_inserted(client, history):
    story, (first, second, _third) = history
    page = compare(client, story, first, second)
    assert page.status_code == 200
    assert "<del>三</del><ins>四</ins>" in page.text
    assert "正文" in page.text
    # Unchanged text is shown as it is; bookkeeping fields are left out.
    assert "黄阿姨家的" in page.text
    assert "版本号" not in page.text and "修改时间" not in page.text


def test_comparing_lists_added_and_changed_lines(client, history):
    story, (first, second, _third) = history
    page = compare(client, story, first, second)
    own, lines = page.context["own"], page.context["lines"]
    assert [change.label for change in own] == ["正文"]
    kinds = {(line.kind, line.title) for line in lines}
    assert ("added", "最低生活保障（低保） 648元") in kinds
    (changed,) = [line for line in lines if line.kind == "changed"]
    assert changed.model_label == "帮扶明细"
    assert changed.title == "教育补助 2000元"
    assert [(c.label, c.old, c.new) for c in changed.changes] == [
        ("数值", "1500", "2000")
    ]
    assert "<ins>新增</ins>" in page.text
    # A number is replaced whole, not digit by digit.
    assert "<strong>数值</strong>：<del>1500</del><ins>2000</ins>" in page.text


def test_comparing_lists_removed_lines(client, history):
    story, (_first, second, third) = history
    page = compare(client, story, second, third)
    lines = page.context["lines"]
    assert [(line.kind, line.title) for line in lines] == [
        ("removed", "教育补助 2000元")
    ]
    assert "<del>删除</del>" in page.text
    assert "没有不同。" in page.text  # the story's own fields did not change


def test_comparing_works_in_either_order(client, history):
    story, (first, second, _third) = history
    page = compare(client, story, second, first)
    assert page.context["older"] == first
    assert page.context["newer"] == second


def test_comparing_without_two_versions_sends_you_back_to_history(client, history):
    story, (first, _second, _third) = history
    response = client.get(admin_url(story, "compare", story.pk), {"a": first.pk})
    assert response.status_code == 302
    assert response.url == admin_url(story, "history", story.pk)


def test_comparing_with_a_version_of_another_story_is_refused(client, history):
    story, (first, _second, _third) = history
    other = StoryFactory()
    response = client.get(
        admin_url(other, "compare", other.pk), {"a": first.pk, "b": first.pk}
    )
    assert response.status_code == 302


def test_the_restore_page_shows_what_restoring_will_undo(client, history):
    story, (first, _second, _third) = history
    page = client.get(admin_url(story, "restore", story.pk, first.pk))
    assert page.status_code == 200
    assert "<del>三</del><ins>四</ins>" in page.text
    assert "确认恢复为草稿" in page.text
    # Looking changes nothing.
    assert Story.objects.get(pk=story.pk).body == SECOND_BODY


def test_restoring_brings_back_the_old_text_and_the_old_lines(client, history):
    story, (first, _second, _third) = history
    response = client.post(admin_url(story, "restore", story.pk, first.pk))
    assert response.status_code == 302
    assert response.url == admin_url(story, "change", story.pk)
    story.refresh_from_db()
    assert story.body == FIRST_BODY
    assert lines_of(story) == [("education_aid", "秋季学期助学金", "1500元")]


def test_restoring_makes_a_new_draft_version_and_keeps_the_old_ones(
    client, editor, history
):
    story, versions = history
    before = story.lock_version
    client.post(admin_url(story, "restore", story.pk, versions[0].pk))
    story.refresh_from_db()
    assert story.status == Status.DRAFT
    assert story.lock_version > before
    newest = services.versions_of(story)
    assert newest.count() == 4
    latest = newest.first()
    assert latest.field_dict["body"] == FIRST_BODY
    assert latest.revision.user == editor
    assert "恢复为草稿" in latest.revision.get_comment()
    assert version_lines(latest) == ["教育补助 1500元"]


def test_restoring_a_published_story_takes_it_off_the_public_site(
    client, reviewer, history
):
    story, versions = history
    client.force_login(reviewer)
    services.apply_transition(obj=story, name="publish", user=reviewer)
    assert client.get(story.get_absolute_url()).status_code == 200

    response = client.post(admin_url(story, "restore", story.pk, versions[0].pk))
    assert response.status_code == 302
    assert Story.objects.get(pk=story.pk).status == Status.DRAFT
    client.logout()
    assert client.get(story.get_absolute_url()).status_code == 404


def test_a_form_opened_before_a_restore_cannot_overwrite_it(client, history):
    story, versions = history
    stale = client.get(admin_url(story, "change", story.pk))
    client.post(admin_url(story, "restore", story.pk, versions[0].pk))
    response = client.post(
        admin_url(story, "change", story.pk),
        change_form_data(stale, body="在恢复之前打开的表单。"),
    )
    assert response.status_code == 200
    assert "保存被拒绝" in response.text
    assert Story.objects.get(pk=story.pk).body == FIRST_BODY


def test_a_story_made_outside_the_admin_has_versions_once_saved_there(client, editor):
    story = StoryFactory(body="导入时的正文。", status=Status.DRAFT)
    AssistanceFactory(story=story, description="导入的明细")
    client.force_login(editor)
    page = client.get(admin_url(story, "history", story.pk))
    assert "还没有保存过的版本" in page.text
    edit_story(client, story, body="后台改过的正文。")
    (only,) = services.versions_of(story)
    assert only.field_dict["body"] == "后台改过的正文。"
    assert version_lines(only) == ["教育补助 1500元"]


def test_a_version_of_another_story_cannot_be_restored_onto_this_one(client, history):
    story, (first, _second, _third) = history
    other = StoryFactory(body="另一篇故事。")
    response = client.post(admin_url(other, "restore", other.pk, first.pk))
    assert response.status_code == 404
    assert Story.objects.get(pk=other.pk).body == "另一篇故事。"


def test_reversions_own_revert_view_goes_through_restore(client, history):
    story, (first, _second, _third) = history
    url = admin_url(story, "revision", story.pk, first.pk)
    response = client.post(url, {})
    assert response.status_code == 302
    assert response.url == admin_url(story, "restore", story.pk, first.pk)
    assert Story.objects.get(pk=story.pk).body == SECOND_BODY


# Deleting and the trash -----------------------------------------------------------


def test_deleting_a_published_story_needs_a_reviewer(client, editor, reviewer):
    story = StoryFactory()
    client.force_login(editor)
    page = client.get(admin_url(story, "change", story.pk))
    assert admin_url(story, "delete", story.pk) not in page.text
    assert client.get(admin_url(story, "delete", story.pk)).status_code == 403
    assert (
        client.post(admin_url(story, "delete", story.pk), {"post": "yes"}).status_code
        == 403
    )
    assert Story.objects.filter(pk=story.pk).exists()


def test_editors_may_not_bulk_delete_published_stories(client, editor):
    story = StoryFactory()
    client.force_login(editor)
    response = client.post(
        admin_url(Story, "changelist"),
        {"action": "delete_selected", "_selected_action": [story.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302, 403)
    assert Story.objects.filter(pk=story.pk).exists()


def test_reviewers_bulk_delete_into_the_trash(client, reviewer):
    stories = [StoryFactory(), StoryFactory(status=Status.DRAFT, published_at=None)]
    client.force_login(reviewer)
    response = client.post(
        admin_url(Story, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [s.pk for s in stories],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not Story.objects.exists()
    recover = client.get(admin_url(Story, "recoverlist"))
    for story in stories:
        assert story.title in recover.text


@pytest.fixture
def trashed(client, reviewer):
    """A published story with an assistance line, deleted by a reviewer."""
    story = StoryFactory(title="被删除的故事", body="删除前的正文。")
    AssistanceFactory(story=story, description="删除前的明细")
    client.force_login(reviewer)
    response = client.post(admin_url(story, "delete", story.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Story.objects.filter(pk=story.pk).exists()
    assert not Assistance.objects.exists()
    return story


def test_a_deleted_story_is_listed_in_the_trash(client, trashed):
    page = client.get(admin_url(Story, "recoverlist"))
    assert page.status_code == 200
    assert trashed.title in page.text


@pytest.mark.parametrize("role", ["author", "editor"])
def test_only_reviewers_open_the_trash(request, client, trashed, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(admin_url(Story, "recoverlist")).status_code == 403
    version = Version.objects.get_deleted(Story).first()
    assert client.get(admin_url(Story, "recover", version.pk)).status_code == 403
    assert client.post(admin_url(Story, "recover", version.pk)).status_code == 403
    assert not Story.objects.filter(pk=trashed.pk).exists()


def test_a_reviewer_recovers_a_deleted_story_as_a_draft_with_its_lines(client, trashed):
    version = Version.objects.get_deleted(Story).get(object_id=str(trashed.pk))
    url = admin_url(Story, "recover", version.pk)
    page = client.get(url)
    assert page.status_code == 200
    assert not Story.objects.filter(pk=trashed.pk).exists()  # looking changes nothing

    response = client.post(url, change_form_data(page))
    assert response.status_code == 302, form_errors(response)
    story = Story.objects.get(pk=trashed.pk)
    assert story.body == "删除前的正文。"
    assert story.status == Status.DRAFT
    assert [a.description for a in story.assistance.all()] == ["删除前的明细"]
    # Readers do not see it again until a reviewer publishes it.
    client.logout()
    assert client.get(story.get_absolute_url()).status_code == 404
    assert trashed.title not in client.get(admin_url(Story, "recoverlist")).text
