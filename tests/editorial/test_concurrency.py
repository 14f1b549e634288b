"""No lost edits: when two people open the same item and both save, the second
save is refused with the differences shown, and the first one's work survives,
inlines included."""

import threading
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from editorial import services
from editorial.models import AuditEntry
from programs.models import Program
from stories.admin import StoryAdmin
from stories.models import Assistance, Story, StoryPerson
from tests.editorial.helpers import (
    Status,
    add_line,
    admin_url,
    change_form_data,
    create_story,
    form_errors,
    line,
    line_index,
)
from tests.factories import (
    AssistanceFactory,
    FigureFactory,
    PersonFactory,
    ProgramFactory,
    StoryFactory,
)

REFUSED = "保存被拒绝：你打开这个页面之后，别人已经保存了新的内容。"


@pytest.fixture
def story(db):
    story = StoryFactory(
        title="两位编辑同时打开的故事",
        body="原来的正文。",
        status=Status.DRAFT,
        published_at=None,
    )
    AssistanceFactory(story=story, description="秋季学期助学金", value=1500)
    return story


@pytest.fixture
def a(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def b(other_editor):
    client = Client()
    client.force_login(other_editor)
    return client


def open_form(client, obj):
    response = client.get(admin_url(obj, "change", obj.pk))
    assert response.status_code == 200
    return response


def save(client, obj, form, change=None, **overrides):
    data = change_form_data(form, **overrides)
    if change:
        change(data)
    return client.post(admin_url(obj, "change", obj.pk), data)


def conflict_of(response):
    return response.context["adminform"].form.conflict


pytestmark = pytest.mark.django_db


def test_the_second_of_two_editors_is_refused_and_the_first_edit_survives(a, b, story):
    form_a, form_b = open_form(a, story), open_form(b, story)
    saved = save(a, story, form_a, title="甲编辑改过的标题")
    assert saved.status_code == 302, form_errors(saved)

    refused = save(b, story, form_b, body="乙编辑改写的正文。")
    assert refused.status_code == 200
    assert REFUSED in refused.text
    fresh = Story.objects.get(pk=story.pk)
    assert fresh.title == "甲编辑改过的标题"
    assert fresh.body == "原来的正文。"


def test_the_refusal_shows_who_saved_and_what_differs(a, b, story):
    form_a, form_b = open_form(a, story), open_form(b, story)
    save(a, story, form_a, title="甲编辑改过的标题")
    refused = save(b, story, form_b, body="乙编辑改写的正文。")

    conflict = conflict_of(refused)
    assert conflict["by"].get_username() == "editor"
    changes = {c.label: (c.old, c.new) for c in conflict["changes"]}
    assert changes == {
        "标题": ("甲编辑改过的标题", "两位编辑同时打开的故事"),
        "正文": ("原来的正文。", "乙编辑改写的正文。"),
    }
    assert "editor 于" in refused.text and "保存了新版本" in refused.text
    assert 'class="conflict" role="alert"' in refused.text
    assert "<del>" in refused.text and "<ins>" in refused.text
    # What B typed stays in the form, to be copied into the latest version.
    assert "乙编辑改写的正文。" in refused.text
    assert admin_url(story, "change", story.pk) in refused.text


def test_the_refused_editor_saves_once_they_reopen_the_latest_version(a, b, story):
    form_a, form_b = open_form(a, story), open_form(b, story)
    save(a, story, form_a, title="甲编辑改过的标题")
    assert save(b, story, form_b, body="乙编辑改写的正文。").status_code == 200

    again = save(b, story, open_form(b, story), body="乙编辑改写的正文。")
    assert again.status_code == 302, form_errors(again)
    fresh = Story.objects.get(pk=story.pk)
    assert (fresh.title, fresh.body) == ("甲编辑改过的标题", "乙编辑改写的正文。")


def test_a_refused_save_leaves_no_version_and_no_audit_entry(a, b, story):
    form_a, form_b = open_form(a, story), open_form(b, story)
    save(a, story, form_a, title="甲编辑改过的标题")
    versions = services.versions_of(story).count()
    save(b, story, form_b, body="乙编辑改写的正文。")
    assert services.versions_of(story).count() == versions
    assert not AuditEntry.objects.filter(username="editor2").exists()


def raise_aid(value):
    def change(data):
        index = line_index(data, "assistance", "description", "秋季学期助学金")
        data[f"assistance-{index}-value"] = value

    return change


def test_an_edit_to_an_assistance_line_alone_still_refuses_a_stale_save(a, b, story):
    form_a, form_b = open_form(a, story), open_form(b, story)
    saved = save(a, story, form_a, raise_aid("1800"))
    assert saved.status_code == 302, form_errors(saved)

    refused = save(b, story, form_b, body="乙编辑改写的正文。")
    assert refused.status_code == 200
    assert REFUSED in refused.text
    assert Assistance.objects.get(story=story).value == 1800
    assert Story.objects.get(pk=story.pk).body == "原来的正文。"


def test_the_refusal_lists_the_lines_the_other_editor_changed(a, b, county):
    story = create_story(a, county)  # saved in the admin, so it has versions
    form_a, form_b = open_form(a, story), open_form(b, story)

    def change_lines(data):
        data["assistance-0-value"] = "1800"
        add_line(data, "assistance", **line(measure="minimum_living", value="648"))

    saved = save(a, story, form_a, change_lines)
    assert saved.status_code == 302, form_errors(saved)
    refused = save(b, story, form_b, body="乙编辑改写的正文。")
    assert refused.status_code == 200
    lines = conflict_of(refused)["lines"]
    assert sorted((x.kind, x.title) for x in lines) == [
        ("added", "最低生活保障（低保） 648元"),
        ("changed", "教育补助 1800元"),
    ]
    assert "<del>1500</del><ins>1800</ins>" in refused.text
    assert "对方在你打开页面之后修改的附表" in refused.text
    assert Story.objects.get(pk=story.pk).assistance.count() == 2


def test_a_stale_change_to_the_same_line_does_not_overwrite_it(a, b, story):
    form_a, form_b = open_form(a, story), open_form(b, story)
    save(a, story, form_a, raise_aid("1800"))
    refused = save(b, story, form_b, raise_aid("2000"))
    assert refused.status_code == 200
    # Only a line differs: the page says so instead of showing an empty table.
    assert conflict_of(refused)["changes"] == []
    assert "对方改的是状态或附表" in refused.text
    assert Assistance.objects.get(story=story).value == 1800


def test_a_stale_form_cannot_delete_a_line_someone_else_just_changed(a, b, story):
    form_a, form_b = open_form(a, story), open_form(b, story)
    save(a, story, form_a, raise_aid("1800"))

    def delete_line(data):
        index = line_index(data, "assistance", "description", "秋季学期助学金")
        data[f"assistance-{index}-DELETE"] = "on"

    assert save(b, story, form_b, delete_line).status_code == 200
    assert Assistance.objects.get(story=story).value == 1800


def test_a_stale_form_cannot_add_lines_after_someone_elses_save(a, b, story):
    form_a, form_b = open_form(a, story), open_form(b, story)
    save(a, story, form_a, title="甲编辑改过的标题")

    def add_aid(data):
        add_line(
            data,
            "assistance",
            measure="donation",
            provider_type="company",
            value="300",
            qualifier="exact",
            unit="元",
            period="once",
            order="1",
        )

    assert save(b, story, form_b, add_aid).status_code == 200
    assert Assistance.objects.filter(story=story).count() == 1


def test_a_person_added_by_one_editor_survives_a_stale_save(a, b, story):
    person = PersonFactory(real_name="黄秀英")
    form_a, form_b = open_form(a, story), open_form(b, story)

    def add_person(data):
        add_line(data, "storyperson_set", person=str(person.pk), role="", order="0")

    saved = save(a, story, form_a, add_person)
    assert saved.status_code == 302, form_errors(saved)
    refused = save(b, story, form_b, body="乙编辑改写的正文。")
    assert refused.status_code == 200
    assert REFUSED in refused.text
    assert list(
        StoryPerson.objects.filter(story=story).values_list("person", flat=True)
    ) == [person.pk]


def test_a_transition_also_makes_open_forms_stale(a, b, story, reviewer):
    form_b = open_form(b, story)
    services.apply_transition(obj=story, name="publish", user=reviewer)
    refused = save(b, story, form_b, body="乙编辑改写的正文。")
    assert refused.status_code == 200
    assert REFUSED in refused.text
    assert conflict_of(refused)["by"] == reviewer
    assert Story.objects.get(pk=story.pk).body == "原来的正文。"


def test_a_form_for_an_item_deleted_meanwhile_is_refused_clearly(b, story):
    form_b = open_form(b, story)
    Story.objects.filter(pk=story.pk).delete()
    response = save(b, story, form_b, body="乙编辑改写的正文。")
    # The admin tells the editor the story is gone rather than recreating it.
    assert response.status_code == 302
    assert not Story.objects.filter(pk=story.pk).exists()


def test_two_editors_on_a_program_with_figures(a, b):
    program = ProgramFactory(
        title="两位编辑同时打开的项目", status=Status.DRAFT, published_at=None
    )
    FigureFactory(program=program, value=2680)
    form_a, form_b = open_form(a, program), open_form(b, program)

    def change_figure(data):
        data["figures-0-value"] = "3000"

    saved = save(a, program, form_a, change_figure)
    assert saved.status_code == 302, form_errors(saved)
    refused = save(b, program, form_b, summary="乙编辑的摘要。")
    assert refused.status_code == 200
    assert REFUSED in refused.text
    fresh = Program.objects.get(pk=program.pk)
    assert fresh.summary == "项目摘要。"
    assert fresh.figures.get().value == 3000


# Two real sessions at once, on PostgreSQL ---------------------------------------

on_postgresql = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="needs PostgreSQL: SQLite has no row locks and serialises all writes, "
    "so two simultaneous saves cannot race there",
)


def post_together(requests):
    """Send each (client, url, data) from its own thread and database connection,
    all released at the same moment. Returns the responses in order."""
    barrier = threading.Barrier(len(requests))
    responses = [None] * len(requests)
    errors = []

    def send(i, client, url, data):
        try:
            barrier.wait(timeout=10)
            responses[i] = client.post(url, data)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=send, args=(i, *request))
        for i, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert all(not thread.is_alive() for thread in threads)
    return responses


@pytest.fixture
def slow_save(monkeypatch):
    """Hold the row a little longer after saving, so that the other request is
    certain to arrive while the first is still inside its transaction."""
    original = StoryAdmin.save_model

    def save_model(self, request, obj, form, change):
        original(self, request, obj, form, change)
        time.sleep(0.3)

    monkeypatch.setattr(StoryAdmin, "save_model", save_model)


@on_postgresql
# Committed for real, so that each thread's connection sees the other's work.
# (The staff fixtures recreate the groups a flush by an earlier test removed.)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("hold", [False, True], ids=["plain", "slow-first-save"])
def test_two_simultaneous_saves_on_postgresql_let_exactly_one_through(
    request, editor, other_editor, hold
):
    if hold:
        request.getfixturevalue("slow_save")
    story = StoryFactory(
        title="同时保存的故事", body="原来的正文。", status=Status.DRAFT
    )
    AssistanceFactory(story=story, description="秋季学期助学金", value=1500)
    start = Story.objects.get(pk=story.pk).lock_version
    url = admin_url(story, "change", story.pk)
    clients, bodies, requests = [], ["甲的正文。", "乙的正文。"], []
    for user, body in zip([editor, other_editor], bodies, strict=True):
        client = Client()
        client.force_login(user)
        form = client.get(url)
        requests.append((client, url, change_form_data(form, body=body)))
        clients.append(client)
    # Both forms carry the same version number.
    assert requests[0][2]["lock_version"] == requests[1][2]["lock_version"]

    responses = post_together(requests)

    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 302], [form_errors(r) for r in responses]
    winner = next(i for i, r in enumerate(responses) if r.status_code == 302)
    loser = responses[1 - winner]
    assert REFUSED in loser.content.decode()

    fresh = Story.objects.get(pk=story.pk)
    assert fresh.body == bodies[winner]
    assert fresh.lock_version == start + 1
    assert Assistance.objects.get(story=story).value == 1500
    assert services.versions_of(fresh).count() == 1
    edits = AuditEntry.objects.filter(action="edit", object_id=str(story.pk))
    assert list(edits.values_list("username", flat=True)) == [
        [editor, other_editor][winner].get_username()
    ]
