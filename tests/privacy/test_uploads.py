"""Uploads (photos, consent scans, any request body): limits enforced before
the body is read, types by content, not by name, images re-encoded, bombs
refused, and nothing stored under a name that a web server would serve as a
page."""

import os
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from privacy.images import checked_document, document_content_type, without_metadata
from stories.models import Story, StoryPhoto
from tests.editorial.helpers import add_line, admin_url, change_form_data, form_errors
from tests.factories import ConsentFactory, PersonFactory
from tests.privacy.test_admin import jpeg_with_gps
from tests.test_security import assert_hardened

pytestmark = pytest.mark.django_db


def png(size=(32, 32), mode="RGB") -> bytes:
    out = BytesIO()
    Image.new(mode, size).save(out, format="PNG")
    return out.getvalue()


class UnreadableBody:
    """A request body that fails the test if anyone reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_a_body_over_the_limit_is_refused_before_it_is_read(client, settings, editor):
    client.force_login(editor)
    response = client.generic(
        "POST",
        reverse("admin:stories_story_add"),
        b"",
        content_type="multipart/form-data; boundary=x",
        secure=True,
        CONTENT_LENGTH=str(settings.MAX_REQUEST_BYTES + 1),
        **{"wsgi.input": UnreadableBody()},
    )
    assert response.status_code == 413
    assert "文件太大" in response.text
    assert "64.0" in response.text  # the limit, in MB
    assert_hardened(response)


def test_a_malformed_content_length_is_a_bad_request(client):
    response = client.generic("POST", "/", b"", CONTENT_LENGTH="lots")
    assert response.status_code == 400
    assert "请求有误" in response.text


def test_a_png_named_like_a_page_is_stored_as_a_png():
    clean = without_metadata(SimpleUploadedFile("photo.html", png()))
    assert clean.name == "photo.png"
    assert clean.content_type == "image/png"


def test_a_decompression_bomb_is_refused_before_it_is_decoded(settings):
    # 100 million pixels in a file of some tens of kilobytes.
    bomb = png(size=(10_000, 10_000), mode="1")
    assert len(bomb) < 100_000
    with pytest.raises(ValidationError, match="最多 4000 万像素"):
        without_metadata(SimpleUploadedFile("field.png", bomb))


def test_a_photo_over_its_size_limit_is_refused(settings):
    settings.PHOTO_MAX_UPLOAD_BYTES = 100_000
    noise = Image.frombytes("RGB", (200, 200), os.urandom(200 * 200 * 3))
    out = BytesIO()
    noise.save(out, format="PNG")
    with pytest.raises(ValidationError, match="文件太大"):
        without_metadata(SimpleUploadedFile("big.png", out.getvalue()))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", b"<html><script>alert(1)</script></html>"),
        ("photo.png", b"GIF89a" + b"\x00" * 100),
        ("photo.jpg", b"\xff\xd8\xff" + b"truncated"),
        ("photo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'),
    ],
)
def test_what_is_not_a_photo_is_refused_whatever_its_name(name, content):
    with pytest.raises(ValidationError):
        without_metadata(SimpleUploadedFile(name, content))


def test_the_admin_says_why_a_photo_is_refused(client, demo, editor, settings):
    story = Story.objects.get(slug="jindong-job-closer-to-home")
    client.force_login(editor)
    url = admin_url(story, "change", story.pk)
    data = change_form_data(client.get(url))
    add_line(data, "photos", caption="说明", credit="署名", alt_text="替代", order="0")
    data["photos-0-image"] = SimpleUploadedFile(
        "field.png", png(size=(10_000, 10_000), mode="1")
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "最多 4000 万像素" in response.text
    assert not StoryPhoto.objects.exists()


def test_a_scanned_pdf_is_kept_as_it_is():
    scan = checked_document(SimpleUploadedFile("同意书.PDF", b"%PDF-1.7 signed"))
    assert scan.name == "同意书.pdf"
    assert scan.read() == b"%PDF-1.7 signed"


def test_a_photographed_consent_loses_where_it_was_taken():
    scan = checked_document(SimpleUploadedFile("IMG_2019.jpeg", jpeg_with_gps()))
    assert scan.name == "IMG_2019.jpg"
    with Image.open(scan) as image:
        assert "exif" not in image.info


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("consent.pdf", b"<html><script>alert(1)</script></html>"),
        ("consent.exe", b"MZ\x90\x00"),
        ("consent.docx", b"PK\x03\x04"),
    ],
)
def test_a_consent_scan_that_is_not_a_pdf_or_image_is_refused(name, content):
    with pytest.raises(ValidationError, match="只接受 PDF、JPEG 或 PNG"):
        checked_document(SimpleUploadedFile(name, content))


def test_the_consent_admin_refuses_a_page_disguised_as_a_scan(client, editor, tmp_path):
    person = PersonFactory()
    client.force_login(editor)
    url = admin_url(person, "change", person.pk)
    data = change_form_data(client.get(url))
    add_line(
        data,
        "consents",
        given_by="self",
        given_on="2019-10-01",
        method="written",
        covers_real_name="on",
    )
    data["consents-0-document"] = SimpleUploadedFile(
        "scan.pdf", b"<html><script>alert(1)</script></html>"
    )
    response = client.post(url, data)
    assert response.status_code == 200, form_errors(response)
    assert "只接受 PDF、JPEG 或 PNG" in response.text
    assert not person.consents.exists()


@pytest.mark.parametrize(
    ("name", "served_as"),
    [
        ("consents/1/scan.pdf", "application/pdf"),
        ("consents/1/scan.png", "image/png"),
        # Stored before these checks, or by hand: bytes, never a page.
        ("consents/1/scan.html", "application/octet-stream"),
        ("consents/1/scan.svg", "application/octet-stream"),
    ],
)
def test_a_stored_scan_is_never_served_as_a_page(name, served_as):
    assert document_content_type(name) == served_as


def test_a_scan_downloads_as_an_attachment_of_its_type(
    client, settings, tmp_path, django_user_model
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    consent = ConsentFactory(
        document=SimpleUploadedFile("evil.html", b"<script>alert(1)</script>")
    )
    chief = django_user_model.objects.create_superuser("chief", password="x")
    client.force_login(chief)
    response = client.get(reverse("admin:privacy_consent_document", args=[consent.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
