"""Every role against every transition, through the service and through the admin:
what the workflow allows is done, everything else refused on the server."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from editorial import services
from editorial.models import ReviewNote
from programs.models import Program
from stories.models import Story
from tests.editorial.helpers import (
    Status,
    admin_url,
    change_form_data,
    transition_url,
)
from tests.factories import ProgramFactory, StoryFactory

pytestmark = pytest.mark.django_db

ROLES = ["author_own", "author_other", "editor", "reviewer"]
TRANSITIONS = [
    "submit",
    "withdraw",
    "send_back",
    "publish",
    "unpublish",
    "archive",
    "redraft",
]
SOURCE = {
    "submit": Status.DRAFT,
    "withdraw": Status.REVIEW,
    "send_back": Status.REVIEW,
    "publish": Status.DRAFT,
    "unpublish": Status.PUBLISHED,
    "archive": Status.PUBLISHED,
    "redraft": Status.ARCHIVED,
}
TARGET = {
    "submit": Status.REVIEW,
    "withdraw": Status.DRAFT,
    "send_back": Status.DRAFT,
    "publish": Status.PUBLISHED,
    "unpublish": Status.DRAFT,
    "archive": Status.ARCHIVED,
    "redraft": Status.DRAFT,
}
# The buttons a state offers to someone allowed everything.
FROM_STATE = {
    Status.DRAFT: {"submit", "publish"},
    Status.REVIEW: {"withdraw", "send_back", "publish"},
    Status.PUBLISHED: {"unpublish", "archive"},
    Status.ARCHIVED: {"redraft"},
}
# Written out by hand from the issue, not derived from the code under test.
ALLOWED = {
    (Story, "author_own"): {"submit", "withdraw"},
    (Story, "author_other"): set(),
    (Story, "editor"): {"submit", "withdraw"},
    (Story, "reviewer"): set(TRANSITIONS),
    # Authors have no rights on programs, not even one recorded as theirs.
    (Program, "author_own"): set(),
    (Program, "author_other"): set(),
    (Program, "editor"): {"submit", "withdraw"},
    (Program, "reviewer"): set(TRANSITIONS),
}
COMMENT = "请补充数据来源，第二段的金额与原文不符。"

CASES = [
    pytest.param(model, role, name, id=f"{model._meta.model_name}-{role}-{name}")
    for model in (Story, Program)
    for role in ROLES
    for name in TRANSITIONS
]
ALLOWED_CASES = [c for c in CASES if c.values[2] in ALLOWED[c.values[:2]]]
REFUSED_CASES = [c for c in CASES if c.values[2] not in ALLOWED[c.values[:2]]]


def make_item(model, status, created_by):
    factory = StoryFactory if model is Story else ProgramFactory
    live = status in (Status.PUBLISHED, Status.ARCHIVED)
    return factory(
        status=status,
        published_at=timezone.now() - datetime.timedelta(days=1) if live else None,
        created_by=created_by,
    )


@pytest.fixture
def cast(author, other_author, editor, reviewer):
    """cast(role, model, status) → the acting user and an item in that status."""
    users = {
        "author_own": author,
        "author_other": author,
        "editor": editor,
        "reviewer": reviewer,
    }

    def make(role, model, status):
        owner = author if role == "author_own" else other_author
        return users[role], make_item(model, status, owner)

    return make


def status_of(obj) -> str:
    return type(obj).objects.values_list("status", flat=True).get(pk=obj.pk)


# The service --------------------------------------------------------------------


@pytest.mark.parametrize(("model", "role", "name"), ALLOWED_CASES)
def test_the_service_carries_out_an_allowed_transition(cast, model, role, name):
    user, obj = cast(role, model, SOURCE[name])
    services.apply_transition(obj=obj, name=name, user=user, comment=COMMENT)
    assert status_of(obj) == TARGET[name]


@pytest.mark.parametrize(("model", "role", "name"), REFUSED_CASES)
def test_the_service_refuses_a_forbidden_transition_and_changes_nothing(
    cast, model, role, name
):
    user, obj = cast(role, model, SOURCE[name])
    before = model.objects.get(pk=obj.pk).lock_version
    with pytest.raises(PermissionDenied):
        services.apply_transition(obj=obj, name=name, user=user, comment=COMMENT)
    fresh = model.objects.get(pk=obj.pk)
    assert fresh.status == SOURCE[name]
    assert fresh.lock_version == before


@pytest.mark.parametrize("model", [Story, Program])
@pytest.mark.parametrize("status", list(FROM_STATE))
def test_even_a_reviewer_cannot_take_a_transition_from_the_wrong_state(
    reviewer, model, status
):
    obj = make_item(model, status, reviewer)
    for name in set(TRANSITIONS) - FROM_STATE[status]:
        with pytest.raises(PermissionDenied):
            services.apply_transition(obj=obj, name=name, user=reviewer, comment="x")
        assert status_of(obj) == status


def test_the_service_refuses_an_unknown_transition(reviewer):
    story = make_item(Story, Status.DRAFT, reviewer)
    with pytest.raises(PermissionDenied):
        services.apply_transition(obj=story, name="delete", user=reviewer)


def test_the_service_acts_on_the_stored_status_not_a_stale_copy(reviewer):
    story = make_item(Story, Status.REVIEW, reviewer)
    stale = Story.objects.get(pk=story.pk)
    services.apply_transition(obj=story, name="publish", user=reviewer)
    # A second reviewer's page still said "in review": publishing again is refused.
    with pytest.raises(PermissionDenied):
        services.apply_transition(obj=stale, name="publish", user=reviewer)


def test_publishing_without_a_go_live_time_goes_live_now(reviewer, client):
    story = make_item(Story, Status.REVIEW, reviewer)
    services.apply_transition(obj=story, name="publish", user=reviewer)
    story.refresh_from_db()
    assert story.published_at is not None
    assert story.published_at <= timezone.now()
    assert client.get(story.get_absolute_url()).status_code == 200


def test_sending_back_without_a_comment_is_refused_by_the_service(reviewer):
    story = make_item(Story, Status.REVIEW, reviewer)
    with pytest.raises(ValidationError):
        services.apply_transition(obj=story, name="send_back", user=reviewer)
    with pytest.raises(ValidationError):
        services.apply_transition(
            obj=story, name="send_back", user=reviewer, comment="   "
        )
    assert status_of(story) == Status.REVIEW
    assert not ReviewNote.objects.exists()


# The admin ------------------------------------------------------------------------


@pytest.mark.parametrize(("model", "role", "name"), ALLOWED_CASES)
def test_posting_an_allowed_transition_redirects_and_changes_the_state(
    client, cast, model, role, name
):
    user, obj = cast(role, model, SOURCE[name])
    client.force_login(user)
    response = client.post(transition_url(obj, name), {"comment": COMMENT})
    assert response.status_code == 302
    assert response.url == admin_url(obj, "change", obj.pk)
    assert status_of(obj) == TARGET[name]


@pytest.mark.parametrize(("model", "role", "name"), REFUSED_CASES)
def test_posting_a_forbidden_transition_is_403_and_changes_nothing(
    client, cast, model, role, name
):
    user, obj = cast(role, model, SOURCE[name])
    client.force_login(user)
    response = client.post(transition_url(obj, name), {"comment": COMMENT})
    assert response.status_code == 403
    assert status_of(obj) == SOURCE[name]
    assert not ReviewNote.objects.exists()


@pytest.mark.parametrize(("model", "role", "name"), ALLOWED_CASES)
def test_the_confirmation_page_asks_first_and_changes_nothing(
    client, cast, model, role, name
):
    user, obj = cast(role, model, SOURCE[name])
    client.force_login(user)
    response = client.get(transition_url(obj, name))
    assert response.status_code == 200
    label = str(services.TRANSITIONS[name].label)
    assert f"确认{label}" in response.text
    assert str(services.TRANSITIONS[name].confirm) in response.text
    assert '<form method="post">' in response.text
    assert status_of(obj) == SOURCE[name]


@pytest.mark.parametrize(("model", "role", "name"), REFUSED_CASES)
def test_the_confirmation_page_of_a_forbidden_transition_is_403(
    client, cast, model, role, name
):
    user, obj = cast(role, model, SOURCE[name])
    client.force_login(user)
    assert client.get(transition_url(obj, name)).status_code == 403


def test_a_transition_is_refused_to_someone_not_logged_in(client):
    story = make_item(Story, Status.REVIEW, None)
    response = client.post(transition_url(story, "publish"))
    assert response.status_code == 302
    assert "/admin/login/" in response.url
    assert status_of(story) == Status.REVIEW


def test_an_unknown_transition_is_403(client, reviewer):
    story = make_item(Story, Status.DRAFT, reviewer)
    client.force_login(reviewer)
    assert client.post(transition_url(story, "delete")).status_code == 403


def test_a_transition_on_a_missing_item_is_404(client, reviewer):
    story = make_item(Story, Status.DRAFT, reviewer)
    url = transition_url(story, "publish")
    story.delete()
    client.force_login(reviewer)
    assert client.post(url).status_code == 404


def buttons(response) -> set[str]:
    return set(re.findall(r'href="[^"]*/transition/(\w+)/"', response.text))


@pytest.mark.parametrize("model", [Story, Program], ids=["story", "program"])
@pytest.mark.parametrize("status", list(FROM_STATE))
@pytest.mark.parametrize("role", ROLES)
def test_the_change_page_shows_exactly_the_transitions_the_user_may_take(
    client, cast, role, status, model
):
    user, obj = cast(role, model, status)
    client.force_login(user)
    response = client.get(admin_url(obj, "change", obj.pk))
    if (model, role) == (Story, "author_other"):
        # She reads someone else's story as readers will, with no buttons.
        assert response.status_code == 302
        assert "/preview/" in response.url
        return
    assert response.status_code == 200
    expected = FROM_STATE[status] & ALLOWED[(model, role)]
    assert buttons(response) == expected
    if not expected:
        assert "你在这个状态下没有可执行的流程操作" in response.text


def test_each_button_on_the_change_page_leads_to_a_working_confirmation(
    client, reviewer
):
    story = make_item(Story, Status.REVIEW, reviewer)
    client.force_login(reviewer)
    page = client.get(admin_url(story, "change", story.pk))
    for name in buttons(page):
        assert client.get(transition_url(story, name)).status_code == 200


def test_sending_back_without_a_comment_is_refused_with_a_message(client, reviewer):
    story = make_item(Story, Status.REVIEW, reviewer)
    client.force_login(reviewer)
    response = client.post(transition_url(story, "send_back"), {"comment": "  "})
    assert response.status_code == 200
    assert "退回时请写明需要修改什么。" in response.text
    assert status_of(story) == Status.REVIEW
    assert not ReviewNote.objects.exists()


def test_the_author_sees_the_reviewers_comment_on_the_change_page(
    client, author, reviewer
):
    story = make_item(Story, Status.REVIEW, author)
    client.force_login(reviewer)
    response = client.post(transition_url(story, "send_back"), {"comment": COMMENT})
    assert response.status_code == 302
    assert status_of(story) == Status.DRAFT

    client.force_login(author)
    page = client.get(admin_url(story, "change", story.pk))
    assert page.status_code == 200
    assert COMMENT in page.text
    assert "reviewer" in page.text and "退回修改" in page.text
    # Back in draft, the author may change the story and submit it again.
    assert buttons(page) == {"submit"}
    assert page.context["has_change_permission"]


def test_a_reviewers_comment_is_kept_as_a_review_note(reviewer):
    story = make_item(Story, Status.REVIEW, reviewer)
    services.apply_transition(
        obj=story, name="send_back", user=reviewer, comment=f"  {COMMENT}\n"
    )
    note = ReviewNote.objects.get()
    assert note.item == Story.objects.get(pk=story.pk)
    assert note.text == COMMENT
    assert note.author_name == "reviewer"


def test_a_comment_on_one_story_is_not_shown_on_another(client, author, reviewer):
    story = make_item(Story, Status.REVIEW, author)
    services.apply_transition(
        obj=story, name="send_back", user=reviewer, comment=COMMENT
    )
    other = make_item(Story, Status.DRAFT, author)
    # A program with the same primary key must not show the story's note either.
    program = ProgramFactory(pk=story.pk, status=Status.DRAFT, published_at=None)
    client.force_login(author)
    assert COMMENT in client.get(admin_url(story, "change", story.pk)).text
    assert COMMENT not in client.get(admin_url(other, "change", other.pk)).text
    page = client.get(admin_url(program, "change", program.pk))
    assert page.status_code == 200
    assert COMMENT not in page.text


# What an author may edit -------------------------------------------------------


def test_an_author_edits_and_saves_their_own_draft(client, author):
    story = make_item(Story, Status.DRAFT, author)
    client.force_login(author)
    form = client.get(admin_url(story, "change", story.pk))
    response = client.post(
        admin_url(story, "change", story.pk),
        change_form_data(form, body="作者改写的正文。"),
    )
    assert response.status_code == 302
    assert Story.objects.get(pk=story.pk).body == "作者改写的正文。"


def test_an_author_cannot_edit_someone_elses_story(client, author, other_author):
    story = make_item(Story, Status.DRAFT, other_author)
    client.force_login(author)
    page = client.get(admin_url(story, "change", story.pk), follow=True)
    # She may read it as readers will see it, and nothing offers a save.
    assert page.status_code == 200
    assert page.redirect_chain[0][0].startswith("/preview/")
    assert 'name="_save"' not in page.text
    data = {"title": "被改掉的标题", "body": "被改掉的正文", "lock_version": "1"}
    response = client.post(admin_url(story, "change", story.pk), data)
    assert response.status_code == 403
    fresh = Story.objects.get(pk=story.pk)
    assert (fresh.title, fresh.body) == (story.title, story.body)


@pytest.mark.parametrize("status", [Status.REVIEW, Status.PUBLISHED, Status.ARCHIVED])
def test_an_author_cannot_edit_their_own_story_once_submitted(client, author, status):
    story = make_item(Story, Status.DRAFT, author)
    client.force_login(author)
    form = client.get(admin_url(story, "change", story.pk))
    Story.objects.filter(pk=story.pk).update(status=status, published_at=timezone.now())
    response = client.post(
        admin_url(story, "change", story.pk),
        change_form_data(form, body="提交后偷偷改的正文。"),
    )
    assert response.status_code == 403
    assert Story.objects.get(pk=story.pk).body == story.body


def test_an_author_gets_their_draft_back_by_withdrawing_it(client, author):
    story = make_item(Story, Status.DRAFT, author)
    client.force_login(author)
    assert client.post(transition_url(story, "submit")).status_code == 302
    assert not client.get(admin_url(story, "change", story.pk)).context[
        "has_change_permission"
    ]
    assert client.post(transition_url(story, "withdraw")).status_code == 302
    assert client.get(admin_url(story, "change", story.pk)).context[
        "has_change_permission"
    ]


def test_an_editor_edits_a_story_that_is_in_review(client, editor, author):
    story = make_item(Story, Status.REVIEW, author)
    client.force_login(editor)
    form = client.get(admin_url(story, "change", story.pk))
    response = client.post(
        admin_url(story, "change", story.pk),
        change_form_data(form, body="编辑改过的正文。"),
    )
    assert response.status_code == 302
    fresh = Story.objects.get(pk=story.pk)
    assert fresh.body == "编辑改过的正文。"
    # Editing does not change the state: that is the buttons' job.
    assert fresh.status == Status.REVIEW


def test_a_forged_status_in_the_change_form_is_ignored(client, editor, author):
    story = make_item(Story, Status.REVIEW, author)
    client.force_login(editor)
    form = client.get(admin_url(story, "change", story.pk))
    response = client.post(
        admin_url(story, "change", story.pk),
        change_form_data(form, status=Status.PUBLISHED),
    )
    assert response.status_code == 302
    assert status_of(story) == Status.REVIEW
