"""Previews: staff see unpublished items as readers will, and may share a signed
link that works without logging in until it expires."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from editorial.models import AuditEntry
from editorial.preview import SALT, make_token
from stories.models import Story
from tests.editorial.helpers import Status, admin_url
from tests.factories import ProgramFactory, StoryFactory

pytestmark = pytest.mark.django_db

BANNER = "预览：这是尚未公开"
NOINDEX = '<meta name="robots" content="noindex, nofollow">'
EXPIRED = "这个预览链接已经过期。请向编辑索取新的链接。"
INVALID = "这个预览链接无效：可能复制不完整，或内容已被删除。"


@pytest.fixture
def draft():
    return StoryFactory(
        title="尚未发布的草稿故事", status=Status.DRAFT, published_at=None
    )


@pytest.fixture
def draft_program():
    return ProgramFactory(
        title="尚未发布的草稿项目", status=Status.DRAFT, published_at=None
    )


def preview_url(obj) -> str:
    opts = obj._meta
    return reverse("editorial:preview", args=[opts.app_label, opts.model_name, obj.pk])


def shared_url(obj) -> str:
    return reverse("editorial:shared_preview", args=[make_token(obj)])


def assert_is_preview(response, obj):
    assert response.status_code == 200
    assert obj.title in response.text
    assert BANNER in response.text
    assert NOINDEX in response.text
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"]


# Staff preview --------------------------------------------------------------------


@pytest.mark.parametrize("role", ["author", "editor", "reviewer"])
def test_staff_preview_a_draft_story_as_readers_will_see_it(
    request, client, draft, role
):
    client.force_login(request.getfixturevalue(role))
    assert_is_preview(client.get(preview_url(draft)), draft)


@pytest.mark.parametrize("status", [Status.REVIEW, Status.ARCHIVED])
def test_staff_preview_a_story_in_any_unpublished_state(client, editor, status):
    story = StoryFactory(status=status)
    client.force_login(editor)
    assert_is_preview(client.get(preview_url(story)), story)


def test_staff_preview_a_story_scheduled_for_later(client, editor):
    story = StoryFactory(published_at=timezone.now() + datetime.timedelta(days=2))
    assert client.get(story.get_absolute_url()).status_code == 404
    client.force_login(editor)
    assert_is_preview(client.get(preview_url(story)), story)


def test_staff_preview_a_draft_program(client, editor, draft_program):
    client.force_login(editor)
    assert_is_preview(client.get(preview_url(draft_program)), draft_program)


def test_the_change_page_links_to_the_preview(client, editor, draft):
    client.force_login(editor)
    page = client.get(admin_url(draft, "change", draft.pk))
    assert preview_url(draft) in page.text
    assert admin_url(draft, "share_preview", draft.pk) in page.text


def test_a_reader_is_sent_to_log_in_instead_of_seeing_a_preview(client, draft):
    response = client.get(preview_url(draft))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert draft.title not in client.get(response.url).text


def test_a_logged_in_non_staff_user_is_sent_to_log_in(client, draft):
    user = get_user_model().objects.create_user("reader", password="pw-for-tests")
    client.force_login(user)
    response = client.get(preview_url(draft))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_staff_without_the_view_permission_may_not_preview(client, draft):
    user = get_user_model().objects.create_user(
        "intern", password="pw-for-tests", is_staff=True
    )
    client.force_login(user)
    assert client.get(preview_url(draft)).status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/preview/stories/story/999999/",
        "/preview/auth/user/1/",
        "/preview/stories/assistance/1/",
    ],
)
def test_preview_of_a_missing_or_unpreviewable_item_is_refused(client, reviewer, path):
    client.force_login(reviewer)
    assert client.get(path).status_code in (403, 404)


# Shared links ---------------------------------------------------------------------


def share(client, user, obj) -> str:
    client.force_login(user)
    response = client.post(admin_url(obj, "share_preview", obj.pk))
    assert response.status_code == 200
    link = response.context["link"]
    assert link.startswith("http://testserver/preview/s/")
    client.logout()
    return link


def test_sharing_a_preview_asks_before_making_a_link(client, editor, draft):
    client.force_login(editor)
    page = client.get(admin_url(draft, "share_preview", draft.pk))
    assert page.status_code == 200
    assert page.context["link"] is None
    assert not AuditEntry.objects.filter(action="share_preview").exists()


def test_a_shared_link_shows_the_draft_to_someone_not_logged_in(client, editor, draft):
    link = share(client, editor, draft)
    response = client.get(link)
    assert_is_preview(response, draft)
    # Seeing the preview does not log the recipient in.
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index")).status_code == 302
    assert AuditEntry.objects.filter(
        action="share_preview", username="editor", object_id=str(draft.pk)
    ).exists()


def test_a_shared_link_to_a_program_works(client, editor, draft_program):
    link = share(client, editor, draft_program)
    assert_is_preview(client.get(link), draft_program)


def test_a_shared_link_shows_the_latest_text(client, editor, draft):
    link = share(client, editor, draft)
    Story.objects.filter(pk=draft.pk).update(body="链接分享之后补写的正文。")
    assert "链接分享之后补写的正文。" in client.get(link).text


def test_the_share_page_says_when_the_link_expires(
    client, editor, draft, settings, time_machine
):
    time_machine.move_to(datetime.datetime(2025, 3, 1, 9, 0, tzinfo=datetime.UTC))
    settings.PREVIEW_LINK_MAX_AGE = 3 * 24 * 3600
    client.force_login(editor)
    page = client.post(admin_url(draft, "share_preview", draft.pk))
    # 3 days after 17:00 in Beijing.
    assert "2025-03-04 17:00" in page.text


def test_a_shared_link_stops_working_once_it_expires(
    client, editor, draft, settings, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    link = share(client, editor, draft)

    time_machine.shift(datetime.timedelta(seconds=settings.PREVIEW_LINK_MAX_AGE - 1))
    assert client.get(link).status_code == 200

    time_machine.shift(datetime.timedelta(seconds=2))
    response = client.get(link)
    assert response.status_code == 410
    assert EXPIRED in response.text
    assert draft.title not in response.text
    assert BANNER not in response.text
    assert NOINDEX in response.text


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), id="signature"),
        pytest.param(lambda t: t[:-8], id="truncated"),
        pytest.param(lambda t: "x" + t, id="prefixed"),
        pytest.param(lambda t: "not-a-token", id="garbage"),
    ],
)
def test_a_tampered_link_is_404_with_a_clear_message(client, draft, tamper):
    token = tamper(make_token(draft))
    response = client.get(reverse("editorial:shared_preview", args=[token]))
    assert response.status_code == 404
    assert INVALID in response.text
    assert draft.title not in response.text


def test_a_link_forged_for_another_item_is_refused(client, draft, settings):
    other = StoryFactory(title="另一篇草稿", status=Status.DRAFT, published_at=None)
    token = make_token(draft)
    payload = token.split(":")[0]
    forged_payload = signing.dumps(
        {"m": "stories.story", "pk": other.pk}, salt=SALT, compress=True
    ).split(":")[0]
    forged = token.replace(payload, forged_payload, 1)
    response = client.get(reverse("editorial:shared_preview", args=[forged]))
    assert response.status_code == 404
    assert other.title not in response.text


def test_a_link_signed_for_another_purpose_is_refused(client, draft):
    token = signing.dumps({"m": "stories.story", "pk": draft.pk}, compress=True)
    response = client.get(reverse("editorial:shared_preview", args=[token]))
    assert response.status_code == 404
    assert INVALID in response.text


@pytest.mark.parametrize(
    "payload",
    [
        {"m": "auth.user", "pk": 1},
        {"m": "nosuch.model", "pk": 1},
        {"m": "stories.assistance", "pk": 1},
        {"pk": 1},
        ["stories.story", 1],
    ],
)
def test_a_validly_signed_link_to_something_unpreviewable_is_404(
    client, reviewer, payload
):
    token = signing.dumps(payload, salt=SALT, compress=True)
    response = client.get(reverse("editorial:shared_preview", args=[token]))
    assert response.status_code == 404
    assert "reviewer" not in response.text


def test_a_link_to_a_deleted_story_is_404(client, editor, draft):
    link = share(client, editor, draft)
    Story.objects.filter(pk=draft.pk).delete()
    response = client.get(link)
    assert response.status_code == 404
    assert INVALID in response.text


# Nothing leaks ---------------------------------------------------------------------


def test_previewed_items_never_appear_on_public_pages(
    client, editor, draft, draft_program
):
    published = StoryFactory(title="已经发布的故事")
    draft.programs.add(ProgramFactory(title="相关的已发布项目"))
    link = share(client, editor, draft)
    assert client.get(link).status_code == 200
    client.force_login(editor)
    assert client.get(preview_url(draft)).status_code == 200
    assert client.get(preview_url(draft_program)).status_code == 200
    client.logout()

    pages = [
        reverse("home"),
        reverse("stories:list"),
        reverse("programs:list"),
        draft.region.get_absolute_url(),
        published.get_absolute_url(),
        "/sitemap.xml",
    ]
    for path in pages:
        text = client.get(path).text
        assert draft.title not in text, path
        assert draft_program.title not in text, path
        assert "/preview/" not in text, path
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(draft_program.get_absolute_url()).status_code == 404


def test_a_preview_shows_only_published_related_content(client, editor, draft):
    live = StoryFactory(title="相关的已发布故事")
    hidden = StoryFactory(
        title="相关的草稿故事", status=Status.DRAFT, published_at=None
    )
    program = ProgramFactory(title="共同的项目")
    for story in (draft, live, hidden):
        story.programs.add(program)
    client.force_login(editor)
    page = client.get(preview_url(draft)).text
    assert live.title in page
    assert hidden.title not in page


def test_the_preview_page_links_nowhere_but_public_pages(client, editor, draft):
    client.force_login(editor)
    page = client.get(preview_url(draft)).text
    links = re.findall(r'href="(/[^"]*)"', page)
    assert not [link for link in links if link.startswith("/preview/")]
