"""The editors' side: what the public will see and why, photos stripped of their
metadata on upload, consent scans for permitted staff only."""

from io import BytesIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import ExifTags, Image

from privacy.models import Consent
from stories.models import Person, Story, StoryPhoto
from tests.editorial.helpers import add_line, admin_url, change_form_data, form_errors
from tests.factories import ConsentFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


def test_the_story_page_shows_what_readers_see_of_each_person_and_why(
    client, demo, editor
):
    story = Story.objects.get(slug="jindong-schoolboy-grandparents")
    client.force_login(editor)
    text = client.get(admin_url(story, "change", story.pk)).content.decode()
    assert "读者看到的人物" in text
    assert "潘长君 → <strong>潘某</strong>" in text
    assert "未满14周岁" in text
    assert "同意记录不包括真实姓名" in text
    assert "潘蔼章 → <strong>潘某</strong>" in text
    assert "张仕娣 → <strong>张某</strong>" in text
    assert "与受保护的未成年人同户，姓名一并保护" in text
    # Nothing is missing: his guardian's consent covers the story's details.
    assert "发布前需要补齐" not in text

    other = Story.objects.get(slug="jindong-job-closer-to-home")
    text = client.get(admin_url(other, "change", other.pk)).content.decode()
    assert "叶寿恒 → <strong>叶寿恒</strong>" in text
    assert "有效的同意包括真实姓名" in text


def test_the_person_page_shows_what_readers_see_today(client, editor):
    person = PersonFactory(real_name="叶寿恒", display_policy="initials")
    ConsentFactory(person=person)
    client.force_login(editor)
    text = client.get(admin_url(person, "change", person.pk)).content.decode()
    assert "读者今天看到" in text
    assert "<strong>Y.S.H.</strong>" in text
    assert "显示方式为“拼音首字母”" in text


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.Model] = "EOS 5D"
    exif[ExifTags.Base.DateTime] = "2019:10:01 10:00:00"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (23.0, 5.0, 30.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (109.0, 35.0, 10.0),
    }
    out = BytesIO()
    Image.new("RGB", (64, 48), "orange").save(out, format="JPEG", exif=exif)
    data = out.getvalue()
    with Image.open(BytesIO(data)) as check:  # the fixture really has GPS data
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return data


@pytest.mark.parametrize("field", ["image", "blurred_image"])
def test_a_photo_uploaded_through_the_story_admin_loses_its_exif(
    client, demo, editor, field
):
    story = Story.objects.get(slug="jindong-job-closer-to-home")
    client.force_login(editor)
    url = admin_url(story, "change", story.pk)
    data = change_form_data(client.get(url))
    add_line(
        data,
        "photos",
        caption="叶寿恒在木板厂上班。",
        credit="杨亚俊摄",
        alt_text="叶寿恒在木板厂搬运木板",
        order="0",
        **({"must_blur_faces": "on"} if field == "blurred_image" else {}),
    )
    data[f"photos-0-{field}"] = SimpleUploadedFile(
        "at-work.jpg", jpeg_with_gps(), content_type="image/jpeg"
    )
    response = client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    photo = StoryPhoto.objects.get(story=story)
    stored = getattr(photo, field)
    with stored.open("rb") as f, Image.open(f) as image:
        assert image.format == "JPEG"
        assert image.size == (64, 48)
        exif = image.getexif()
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
        assert ExifTags.Base.Make not in exif
        assert "exif" not in image.info
    if field == "image":
        assert (photo.width, photo.height) == (64, 48)


def test_a_file_that_is_not_an_image_is_refused(client, demo, editor):
    story = Story.objects.get(slug="jindong-job-closer-to-home")
    client.force_login(editor)
    url = admin_url(story, "change", story.pk)
    data = change_form_data(client.get(url))
    add_line(data, "photos", caption="说明", credit="署名", alt_text="替代", order="0")
    data["photos-0-image"] = SimpleUploadedFile("x.jpg", b"not an image")
    response = client.post(url, data)
    assert response.status_code == 200
    assert not StoryPhoto.objects.exists()


@pytest.fixture
def consent_with_scan(private_root):
    person = PersonFactory(real_name="潘长君", birth_year=2006)
    return ConsentFactory(
        person=person,
        guardian=True,
        document=SimpleUploadedFile("signed.pdf", b"%PDF-1.4 signed by guardian"),
    )


def staff(username: str, *codenames: str):
    user = get_user_model().objects.create_user(
        username=username, password="pw-for-tests-only", is_staff=True
    )
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["privacy", "stories"], codename__in=codenames
        )
    )
    return user


def test_the_scan_is_stored_outside_media_root(consent_with_scan, settings):
    path = Path(consent_with_scan.document.path)
    assert path.is_file()
    assert path.is_relative_to(settings.PRIVATE_MEDIA_ROOT)
    assert not path.is_relative_to(settings.MEDIA_ROOT)
    # Its only URL is the admin's, permission-checked download.
    assert consent_with_scan.document.url.startswith("/admin/")
    media = settings.MEDIA_URL + consent_with_scan.document.name
    assert Client().get("/" + media.lstrip("/")).status_code == 404


def test_staff_allowed_to_view_consents_download_the_scan(client, consent_with_scan):
    client.force_login(staff("privacy-officer", "view_consent", "view_person"))
    for url in (
        admin_url(Consent, "document", consent_with_scan.pk),
        consent_with_scan.document.url,
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"".join(response.streaming_content) == b"%PDF-1.4 signed by guardian"
        assert "attachment" in response["Content-Disposition"]
        assert "no-store" in response["Cache-Control"]
    # The consent page links to it, and renders.
    page = client.get(admin_url(consent_with_scan, "change", consent_with_scan.pk))
    assert page.status_code == 200
    assert consent_with_scan.document.url in page.content.decode()


def test_staff_without_the_permission_are_refused_the_scan(client, consent_with_scan):
    client.force_login(staff("reporter", "view_person", "view_story"))
    for url in (
        admin_url(Consent, "document", consent_with_scan.pk),
        consent_with_scan.document.url,
    ):
        assert client.get(url).status_code == 403, url


def test_anonymous_readers_are_sent_to_the_login_page(client, consent_with_scan):
    response = client.get(admin_url(Consent, "document", consent_with_scan.pk))
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_the_person_page_with_a_scanned_consent_renders(client, consent_with_scan):
    client.force_login(staff("officer", "view_consent", "view_person", "change_person"))
    person = Person.objects.get(pk=consent_with_scan.person_id)
    response = client.get(admin_url(person, "change", person.pk))
    assert response.status_code == 200
    assert consent_with_scan.document.url in response.content.decode()
