"""The audit trail: who created, edited, moved, restored or deleted what and
when, visible to reviewers, filterable, and kept when a staff account goes."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from reversion.models import Version

from editorial import services
from editorial.models import AuditEntry
from programs.models import Program
from stories.models import Story
from tests.editorial.helpers import (
    Status,
    add_line,
    admin_url,
    change_form_data,
    form_errors,
    transition_url,
)
from tests.factories import ProgramFactory, StoryFactory

pytestmark = pytest.mark.django_db

AUDIT_LIST = reverse("admin:editorial_auditentry_changelist")
TITLE = "审计用的故事"


def ok(response, status=302):
    assert response.status_code == status, form_errors(response)
    return response


@pytest.fixture
def life(client, author, editor, reviewer, county):
    """A story's whole life, every step taken in the admin by the right person."""
    client.force_login(author)
    data = change_form_data(
        client.get(admin_url(Story, "add")),
        title=TITLE,
        dek="导语",
        body="作者的初稿。",
        region=str(county.pk),
    )
    add_line(
        data,
        "assistance",
        measure="education_aid",
        provider_type="government",
        value="1500",
        qualifier="exact",
        unit="元",
        period="once",
        order="0",
    )
    ok(client.post(admin_url(Story, "add"), data))
    story = Story.objects.get(title=TITLE)
    change = admin_url(story, "change", story.pk)
    ok(client.post(change, change_form_data(client.get(change), body="作者改过。")))
    ok(client.post(transition_url(story, "submit")))

    client.force_login(reviewer)
    ok(client.post(transition_url(story, "send_back"), {"comment": "请核对金额。"}))
    client.force_login(author)
    ok(client.post(transition_url(story, "submit")))
    ok(client.post(transition_url(story, "withdraw")))
    ok(client.post(transition_url(story, "submit")))

    client.force_login(reviewer)
    ok(client.post(transition_url(story, "publish")))
    ok(client.post(transition_url(story, "unpublish")))

    client.force_login(editor)
    first = list(services.versions_of(story))[-1]
    ok(client.post(admin_url(story, "restore", story.pk, first.pk)))
    ok(client.post(admin_url(story, "share_preview", story.pk)), 200)

    client.force_login(reviewer)
    ok(client.post(transition_url(story, "publish")))
    ok(client.post(transition_url(story, "archive")))
    ok(client.post(transition_url(story, "redraft")))
    ok(client.post(transition_url(story, "publish")))
    ok(client.post(admin_url(story, "delete", story.pk), {"post": "yes"}))

    deleted = Version.objects.get_deleted(Story).get(object_id=str(story.pk))
    recover = admin_url(Story, "recover", deleted.pk)
    ok(client.post(recover, change_form_data(client.get(recover))))
    client.logout()
    return story


TRAIL = [
    ("author", "create"),
    ("author", "edit"),
    ("author", "submit"),
    ("reviewer", "send_back"),
    ("author", "submit"),
    ("author", "withdraw"),
    ("author", "submit"),
    ("reviewer", "publish"),
    ("reviewer", "unpublish"),
    ("editor", "restore"),
    ("editor", "share_preview"),
    ("reviewer", "publish"),
    ("reviewer", "archive"),
    ("reviewer", "redraft"),
    ("reviewer", "publish"),
    ("reviewer", "delete"),
    ("reviewer", "recover"),
]


def test_every_step_of_a_storys_life_leaves_one_entry_in_order(life):
    entries = AuditEntry.objects.order_by("timestamp", "pk")
    assert [(e.username, e.action) for e in entries] == TRAIL


def test_each_entry_names_the_user_the_model_and_the_item(life):
    story_type = ContentType.objects.get_for_model(Story)
    for entry in AuditEntry.objects.all():
        assert entry.user is not None
        assert entry.user.get_username() == entry.username
        assert entry.content_type == story_type
        assert entry.object_id == str(life.pk)
        assert entry.object_repr == TITLE
        assert entry.timestamp is not None


@pytest.mark.parametrize(
    "action",
    ["create", "edit", "submit", "publish", "unpublish", "restore", "delete"],
)
def test_the_required_actions_are_each_recorded(life, action):
    assert AuditEntry.objects.filter(
        action=action, content_type__model="story", object_id=str(life.pk)
    ).exists()


def test_entries_keep_what_was_said(life):
    send_back = AuditEntry.objects.get(action="send_back")
    assert send_back.message == "请核对金额。"
    assert "从" in AuditEntry.objects.get(action="restore").message
    assert AuditEntry.objects.filter(action="edit").get().message


def test_program_edits_and_transitions_are_recorded_as_programs(
    client, editor, reviewer
):
    program = ProgramFactory(status=Status.DRAFT, published_at=None)
    client.force_login(editor)
    change = admin_url(program, "change", program.pk)
    ok(client.post(change, change_form_data(client.get(change), summary="新摘要。")))
    client.force_login(reviewer)
    ok(client.post(transition_url(program, "publish")))
    program_type = ContentType.objects.get_for_model(Program)
    assert list(
        AuditEntry.objects.order_by("pk").values_list(
            "username", "action", "content_type"
        )
    ) == [("editor", "edit", program_type.pk), ("reviewer", "publish", program_type.pk)]


def test_a_refused_transition_leaves_no_entry(client, editor):
    story = StoryFactory(status=Status.REVIEW)
    client.force_login(editor)
    assert client.post(transition_url(story, "publish")).status_code == 403
    assert not AuditEntry.objects.exists()


def test_a_bulk_delete_records_each_item(client, reviewer):
    stories = [StoryFactory(), StoryFactory()]
    client.force_login(reviewer)
    ok(
        client.post(
            admin_url(Story, "changelist"),
            {
                "action": "delete_selected",
                "_selected_action": [s.pk for s in stories],
                "post": "yes",
            },
        )
    )
    assert sorted(
        AuditEntry.objects.filter(action="delete").values_list("object_id", flat=True)
    ) == sorted(str(s.pk) for s in stories)


def test_changes_outside_the_admin_are_recorded_as_system(reviewer):
    story = StoryFactory()
    entry = services.record(None, AuditEntry.Action.IMPORT, story)
    assert (entry.username, entry.user) == ("system", None)


# Who reads the trail ----------------------------------------------------------------


def listed(response) -> list[tuple[str, str]]:
    return [(e.username, e.action) for e in response.context["cl"].result_list]


def test_a_reviewer_reads_the_audit_trail(client, reviewer, life):
    client.force_login(reviewer)
    page = client.get(AUDIT_LIST)
    assert page.status_code == 200
    assert page.context["cl"].result_count == len(TRAIL)
    assert TITLE in page.text
    # Newest first.
    assert listed(page)[0] == ("reviewer", "recover")


def test_the_trail_filters_by_action(client, reviewer, life):
    client.force_login(reviewer)
    for query in ({"action": "publish"}, {"action__exact": "publish"}):
        page = client.get(AUDIT_LIST, query)
        assert page.status_code == 200
        assert listed(page) == [("reviewer", "publish")] * 3


def test_the_trail_filters_by_user(client, reviewer, life):
    client.force_login(reviewer)
    page = client.get(AUDIT_LIST, {"username": "editor"})
    assert listed(page) == [("editor", "share_preview"), ("editor", "restore")]
    page = client.get(AUDIT_LIST, {"username": "author"})
    assert {action for _user, action in listed(page)} == {
        "create",
        "edit",
        "submit",
        "withdraw",
    }


def test_the_trail_filters_by_model(client, reviewer, editor, life):
    program = ProgramFactory()
    services.record(editor, AuditEntry.Action.EDIT, program)
    client.force_login(reviewer)
    program_type = ContentType.objects.get_for_model(Program)
    story_type = ContentType.objects.get_for_model(Story)
    page = client.get(AUDIT_LIST, {"content_type__id__exact": program_type.pk})
    assert listed(page) == [("editor", "edit")]
    page = client.get(AUDIT_LIST, {"content_type__id__exact": story_type.pk})
    assert page.context["cl"].result_count == len(TRAIL)


def test_the_filters_combine(client, reviewer, life):
    client.force_login(reviewer)
    page = client.get(AUDIT_LIST, {"username": "author", "action__exact": "submit"})
    assert listed(page) == [("author", "submit")] * 3


def test_the_filter_sidebar_offers_user_model_and_action(client, reviewer, life):
    client.force_login(reviewer)
    page = client.get(AUDIT_LIST)
    filters = {spec.title for spec in page.context["cl"].filter_specs}
    assert {"操作", "用户名", "内容类型"} <= {str(title) for title in filters}
    assert "?username=author" in page.text
    assert "?action__exact=publish" in page.text
    # The model filter offers what is in the trail, not every model there is.
    (models,) = [s for s in page.context["cl"].filter_specs if s.title == "内容类型"]
    ((_pk, label),) = models.lookup_choices
    assert "人物故事" in str(label)


def test_the_trail_can_be_searched(client, reviewer, life):
    client.force_login(reviewer)
    page = client.get(AUDIT_LIST, {"q": "核对金额"})
    assert listed(page) == [("reviewer", "send_back")]


def test_a_reviewer_reads_an_entry_but_cannot_change_or_add_one(client, reviewer, life):
    client.force_login(reviewer)
    entry = AuditEntry.objects.first()
    url = reverse("admin:editorial_auditentry_change", args=[entry.pk])
    assert client.get(url).status_code == 200
    assert (
        client.post(url, {"username": "someone", "action": "edit"}).status_code == 403
    )
    assert client.get(reverse("admin:editorial_auditentry_add")).status_code == 403
    delete = reverse("admin:editorial_auditentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk, username=entry.username).exists()


@pytest.mark.parametrize("role", ["author", "editor"])
def test_editors_and_authors_may_not_read_the_trail(request, client, role):
    StoryFactory()
    client.force_login(request.getfixturevalue(role))
    assert client.get(AUDIT_LIST).status_code == 403
    assert client.get(AUDIT_LIST, {"action": "publish"}).status_code == 403


def test_the_trail_is_not_in_the_admin_index_for_an_editor(client, editor, reviewer):
    client.force_login(editor)
    assert AUDIT_LIST not in client.get(reverse("admin:index")).text
    client.force_login(reviewer)
    assert AUDIT_LIST in client.get(reverse("admin:index")).text


def test_a_story_history_page_shows_its_trail(client, reviewer, life):
    story = Story.objects.get(pk=life.pk)
    client.force_login(reviewer)
    page = client.get(admin_url(story, "history", story.pk))
    assert page.status_code == 200
    assert len(page.context["audit"]) == len(TRAIL)
    assert "从回收站恢复" in page.text and "提交审核" in page.text


# The trail outlives the people in it --------------------------------------------------


def test_deleting_a_staff_account_keeps_their_entries(client, reviewer, life):
    before = AuditEntry.objects.filter(username="author").count()
    get_user_model().objects.filter(username="author").delete()

    entries = AuditEntry.objects.filter(username="author")
    assert entries.count() == before > 0
    assert all(entry.user is None for entry in entries)
    assert AuditEntry.objects.count() == len(TRAIL)

    client.force_login(reviewer)
    page = client.get(AUDIT_LIST, {"username": "author"})
    assert page.status_code == 200
    assert len(listed(page)) == before


def test_deleting_a_staff_account_keeps_their_content_and_history(
    client, reviewer, life
):
    get_user_model().objects.filter(username="editor").delete()
    story = Story.objects.get(pk=life.pk)
    client.force_login(reviewer)
    assert client.get(admin_url(story, "history", story.pk)).status_code == 200
    assert client.get(admin_url(story, "change", story.pk)).status_code == 200
