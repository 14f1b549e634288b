"""Publishing is blocked until the people of a story consented to what it
publishes, and leaves an impact-assessment record that outlives the story."""

import datetime
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from privacy.models import ImpactAssessment
from stories.models import Measure, Story
from tests.editorial.helpers import Status, admin_url, transition_url
from tests.factories import (
    AssistanceFactory,
    ConsentFactory,
    PersonFactory,
    StoryFactory,
    StoryPersonFactory,
    StoryPhotoFactory,
)

pytestmark = pytest.mark.django_db


def jpeg() -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", (20, 20), "gray").save(out, format="JPEG")
    return SimpleUploadedFile("blurred.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def draft(author):
    """A draft about 张仕娣, who consented to her financial details only, with
    her disability allowance: a health detail too."""
    story = StoryFactory(
        title="张仕娣的补贴",
        dek="张仕娣每月领到补贴。",
        status=Status.DRAFT,
        published_at=None,
        created_by=author,
    )
    person = PersonFactory(real_name="张仕娣")
    StoryPersonFactory(story=story, person=person)
    ConsentFactory(
        person=person,
        covers_real_name=True,
        covers_photo=False,
        covers_health=False,
        covers_financial=True,
    )
    AssistanceFactory(
        story=story,
        measure=Measure.DISABILITY_ALLOWANCE,
        description="困难残疾人生活补贴",
        value=80,
        recipient=person,
    )
    return story


def publish(client, story):
    return client.post(transition_url(story, "publish"))


def test_publishing_without_the_consent_a_detail_needs_is_blocked(
    client, reviewer, draft
):
    client.force_login(reviewer)
    response = publish(client, draft)
    assert response.status_code == 200
    text = response.content.decode()
    assert "张仕娣 缺少“健康与残疾情况”的同意" in text
    assert "困难残疾人生活补贴" in text
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert not ImpactAssessment.objects.exists()


def test_the_story_change_page_lists_what_is_missing(client, reviewer, draft):
    client.force_login(reviewer)
    text = client.get(admin_url(draft, "change", draft.pk)).content.decode()
    assert "发布前需要补齐" in text
    assert "缺少“健康与残疾情况”的同意" in text


def test_a_line_for_the_whole_household_needs_everyones_consent(
    client, reviewer, draft
):
    AssistanceFactory(
        story=draft, measure=Measure.MINIMUM_LIVING, value=648, covers_people=3
    )
    other = PersonFactory(real_name="潘蔼章")
    StoryPersonFactory(story=draft, person=other)
    ConsentFactory(person=draft.people.first(), covers_health=True)
    client.force_login(reviewer)
    text = publish(client, draft).content.decode()
    assert "潘蔼章 缺少“收入与救助（含低保）”的同意" in text


def test_faces_to_blur_block_publishing_until_a_blurred_version_is_attached(
    client, reviewer, draft
):
    ConsentFactory(person=draft.people.first(), covers_health=True)
    photo = StoryPhotoFactory(
        story=draft, caption="张仕娣在院子里晒玉米。", must_blur_faces=True
    )
    client.force_login(reviewer)
    response = publish(client, draft)
    assert "标记为必须给人脸打码，但还没有上传打码后的版本" in response.content.decode()
    assert Story.objects.get(pk=draft.pk).status == Status.DRAFT

    photo.blurred_image = jpeg()
    photo.save()
    assert publish(client, draft).status_code == 302
    assert Story.objects.get(pk=draft.pk).status == Status.PUBLISHED
    photo.refresh_from_db()
    assert photo.publishable_version() == photo.public_image
    assert photo.public_image_source == photo.blurred_image.name


def test_with_the_consent_publishing_records_an_impact_assessment(
    client, reviewer, draft
):
    ConsentFactory(
        person=draft.people.first(),
        given_on=datetime.date(2019, 10, 2),
        covers_real_name=False,
        covers_photo=False,
        covers_health=True,
        covers_financial=False,
    )
    client.force_login(reviewer)
    response = publish(client, draft)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED
    record = ImpactAssessment.objects.get()
    assert record.story == draft
    assert record.story_title == "张仕娣的补贴"
    assert "困难残疾人生活补贴" in record.published
    assert "张仕娣：本人" in record.consents
    assert "健康与残疾情况" in record.consents
    assert "收入与救助（含低保）" in record.consents
    assert record.approved_by == reviewer
    assert record.approved_by_name == "reviewer"
    assert record.keep_until >= timezone.localdate() + datetime.timedelta(days=3 * 365)
    assert "张仕娣每月领到补贴。" in record.purpose


def test_a_story_without_sensitive_details_leaves_no_record(client, reviewer, author):
    story = StoryFactory(status=Status.DRAFT, published_at=None, created_by=author)
    client.force_login(reviewer)
    assert publish(client, story).status_code == 302
    assert not ImpactAssessment.objects.exists()


@pytest.fixture
def published(client, reviewer, draft):
    ConsentFactory(person=draft.people.first(), covers_health=True)
    client.force_login(reviewer)
    assert publish(client, draft).status_code == 302
    return draft


def test_unpublishing_keeps_the_record(client, reviewer, published):
    assert client.post(transition_url(published, "unpublish")).status_code == 302
    assert Story.objects.get(pk=published.pk).status == Status.DRAFT
    assert ImpactAssessment.objects.get().story == published


def test_deleting_the_story_keeps_the_record(published):
    published.delete()
    record = ImpactAssessment.objects.get()
    assert record.story is None
    assert record.story_title == "张仕娣的补贴"


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(
        "root", "root@example.com", "pw-for-tests-only"
    )


def test_the_admin_refuses_to_delete_a_record_before_keep_until(
    client, superuser, published
):
    record = ImpactAssessment.objects.get()
    client.force_login(superuser)
    delete = admin_url(record, "delete", record.pk)
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    changelist = admin_url(ImpactAssessment, "changelist")
    response = client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"},
    )
    assert ImpactAssessment.objects.filter(pk=record.pk).exists(), response
    # Read-only: nobody edits a record either.
    change = client.get(admin_url(record, "change", record.pk))
    assert change.status_code == 200
    assert 'name="published"' not in change.content.decode()

    ImpactAssessment.objects.filter(pk=record.pk).update(
        keep_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not ImpactAssessment.objects.exists()
