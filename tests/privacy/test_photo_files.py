"""Originals are never public: uploads are kept in private storage under
random names, readers get only a re-encoded copy with a random name, a photo
readers may not see has no public file at all, and one whose faces must be
blurred is public only as its blurred version. The public folder is served
here as the proxy serves it in production: whole."""

import datetime
import io
import json
import os
import re
import time
import xml.etree.ElementTree as ET
from io import BytesIO
from pathlib import Path

import pytest
import reversion
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import re_path, reverse
from django.utils import timezone
from django.views.static import serve
from PIL import Image
from reversion.models import Version

from editorial import services
from portal.urls import urlpatterns as portal_urlpatterns
from privacy.models import Consent
from programs.models import ProgramPhoto
from stories.models import Person, Story, StoryPhoto
from tests.editorial.helpers import add_line, admin_url, change_form_data, form_errors
from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db

CHILD_STORY = "jindong-schoolboy-grandparents"
UPLOAD_NAME = "pan-aizhang-zhang-shidi.jpg"
NAME_PARTS = ["pan", "aizhang", "zhang-shidi", "shidi"]


def media(request, path):
    """What the proxy does in production: every file in MEDIA_ROOT, by name."""
    return serve(request, path, document_root=django_settings.MEDIA_ROOT)


# The portal's addresses, with /media/ served as in production.
urlpatterns = [re_path(r"^media/(?P<path>.*)$", media), *portal_urlpatterns]


@pytest.fixture(autouse=True)
def media_served(settings):
    settings.ROOT_URLCONF = __name__


def jpeg(colour: str, size=(60, 40)) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, colour).save(out, format="JPEG")
    return out.getvalue()


def files_under(root) -> list[Path]:
    return sorted(p for p in Path(root).rglob("*") if p.is_file())


def public_files(settings) -> list[Path]:
    return files_under(settings.MEDIA_ROOT)


def colour_of(path: Path) -> tuple[int, int, int]:
    with Image.open(path) as image:
        return image.convert("RGB").getpixel((image.width // 2, image.height // 2))


def upload_photo(client, story: Story, shown: list[Person], **extra) -> StoryPhoto:
    """Add a photo to a story through its admin change form, as an editor does."""
    url = admin_url(story, "change", story.pk)
    data = change_form_data(client.get(url))
    add_line(
        data,
        "photos",
        caption="老房子前。",
        credit="杨亚俊摄",
        alt_text="两位老人站在老房子前",
        people_shown=[str(p.pk) for p in shown],
        order="0",
        image=SimpleUploadedFile(UPLOAD_NAME, jpeg("red"), content_type="image/jpeg"),
        **extra,
    )
    response = client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    return StoryPhoto.objects.get(story=story, caption="老房子前。")


def photo_sources(html: str) -> list[str]:
    """The photos a page shows (not its QR code)."""
    return re.findall(r'<img[^>]* src="(/media/[^"]+)"', html)


def enclosure_of(client, story: Story) -> str | None:
    channel = ET.fromstring(client.get(reverse("stories:feed_rss")).content)
    for item in channel.find("channel").findall("item"):
        if item.findtext("link", "").endswith(story.get_absolute_url()):
            enclosure = item.find("enclosure")
            return enclosure.get("url") if enclosure is not None else None
    raise AssertionError("the story is not in the feed")


def test_readers_get_a_copy_named_at_random_and_the_original_is_not_public(
    client, demo, editor, settings
):
    story = Story.objects.get(slug=CHILD_STORY)
    grandparents = list(Person.objects.filter(real_name__in=["潘蔼章", "张仕娣"]))
    client.force_login(editor)
    photo = upload_photo(client, story, grandparents)
    client.logout()

    page = client.get(story.get_absolute_url()).text
    sources = photo_sources(page)
    og_image = re.search(r'<meta property="og:image" content="([^"]+)"', page)[1]
    enclosure = enclosure_of(client, story)
    assert len(sources) == 1
    for address in (sources[0], og_image, enclosure):
        assert address.endswith(sources[0])
        assert not [part for part in NAME_PARTS if part in address.lower()], address
    # The copy is the one public file, and the proxy serves it.
    (copy,) = public_files(settings)
    assert sources[0] == "/media/" + copy.relative_to(settings.MEDIA_ROOT).as_posix()
    assert client.get(sources[0]).status_code == 200
    with Image.open(copy) as image:
        assert "exif" not in image.info
        assert f'width="{image.width}" height="{image.height}"' in page

    # The original is kept privately, under a name of its own, and no address
    # under /media/ reaches it.
    photo.refresh_from_db()
    assert Path(settings.PRIVATE_MEDIA_ROOT, photo.image.name).is_file()
    assert not [part for part in NAME_PARTS if part in photo.image.name.lower()]
    for address in (
        f"/media/{photo.image.name}",
        f"/media/photos/{timezone.localdate():%Y/%m}/{UPLOAD_NAME}",
    ):
        assert client.get(address).status_code == 404, address


def test_a_photo_whose_faces_must_be_blurred_is_public_only_blurred(
    client, demo, editor, settings
):
    story = Story.objects.get(slug=CHILD_STORY)
    grandfather = Person.objects.get(real_name="潘蔼章")
    client.force_login(editor)
    blurred = SimpleUploadedFile("blurred.jpg", jpeg("blue"), content_type="image/jpeg")
    photo = upload_photo(
        client, story, [grandfather], must_blur_faces="on", blurred_image=blurred
    )
    client.logout()

    # One public file, made from the blurred version: blue, where the
    # original is red. Nothing made from the original is in the public folder.
    (copy,) = public_files(settings)
    red, green, blue = colour_of(copy)
    assert blue > 200 and red < 60
    photo.refresh_from_db()
    assert photo.public_image_source == photo.blurred_image.name
    page = client.get(story.get_absolute_url()).text
    assert photo_sources(page) == [photo.public_image.url]
    for private in (photo.image.name, photo.blurred_image.name):
        assert client.get(f"/media/{private}").status_code == 404


def test_a_withheld_photo_has_no_public_file_until_its_consent_and_after_it(
    client, demo, editor, settings
):
    """The boy's guardian did not agree to photos: his photo is withheld, and
    has no file anyone could reach. It appears with the consent, and its file
    is gone again once the consent is withdrawn."""
    story = Story.objects.get(slug=CHILD_STORY)
    boy = Person.objects.get(real_name="潘长君")
    client.force_login(editor)
    photo = upload_photo(client, story, [boy])
    client.logout()

    assert public_files(settings) == []
    assert photo_sources(client.get(story.get_absolute_url()).text) == []
    photo.refresh_from_db()
    assert not photo.public_image
    assert client.get(f"/media/{photo.image.name}").status_code == 404

    consent = Consent.objects.create(
        person=boy,
        given_by=Consent.GivenBy.GUARDIAN,
        guardian_name="潘蔼章",
        guardian_relationship="祖父",
        given_on=timezone.localdate(),
        method=Consent.Method.SIGNED_FORM,
        covers_photo=True,
    )
    (copy,) = public_files(settings)
    address = "/media/" + copy.relative_to(settings.MEDIA_ROOT).as_posix()
    assert photo_sources(client.get(story.get_absolute_url()).text) == [address]
    assert client.get(address).status_code == 200

    consent.withdrawn_on = timezone.localdate()
    consent.save()
    assert public_files(settings) == []
    assert client.get(address).status_code == 404
    assert photo_sources(client.get(story.get_absolute_url()).text) == []


def test_tagging_someone_without_consent_takes_the_public_file_away(
    client, demo, editor, settings
):
    story = Story.objects.get(slug=CHILD_STORY)
    grandfather = Person.objects.get(real_name="潘蔼章")
    client.force_login(editor)
    photo = upload_photo(client, story, [grandfather])
    assert len(public_files(settings)) == 1

    url = admin_url(story, "change", story.pk)
    data = change_form_data(client.get(url))
    boy = Person.objects.get(real_name="潘长君")
    data["photos-0-people_shown"] = [str(grandfather.pk), str(boy.pk)]
    response = client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    assert public_files(settings) == []
    photo.refresh_from_db()
    assert not photo.public_image
    assert Path(settings.PRIVATE_MEDIA_ROOT, photo.image.name).is_file()


def test_deleting_a_photo_deletes_its_files(client, demo, editor, settings):
    story = Story.objects.get(slug=CHILD_STORY)
    client.force_login(editor)
    upload_photo(client, story, [Person.objects.get(real_name="潘蔼章")])
    assert len(public_files(settings)) == 1
    assert len(files_under(settings.PRIVATE_MEDIA_ROOT)) == 1

    url = admin_url(story, "change", story.pk)
    data = change_form_data(client.get(url), **{"photos-0-DELETE": "on"})
    response = client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    assert not StoryPhoto.objects.filter(story=story).exists()
    assert public_files(settings) == []
    assert files_under(settings.PRIVATE_MEDIA_ROOT) == []


def test_staff_allowed_to_view_photos_open_the_original_from_the_admin(
    client, demo, editor, settings
):
    story = Story.objects.get(slug=CHILD_STORY)
    client.force_login(editor)
    photo = upload_photo(client, story, [Person.objects.get(real_name="潘长君")])
    photo.refresh_from_db()
    stored = Path(settings.PRIVATE_MEDIA_ROOT, photo.image.name).read_bytes()

    # The link the change form shows beside the photo field.
    form = client.get(admin_url(story, "change", story.pk)).text
    (link,) = re.findall(r'<a href="([^"]+)">' + re.escape(photo.image.name), form)
    response = client.get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored
    assert response["Content-Type"] == "image/jpeg"
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))

    client.logout()
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))

    nobody = get_user_model().objects.create_user(
        "intern", password="pw-for-tests-only", is_staff=True
    )
    client.force_login(nobody)
    assert client.get(link).status_code == 403


def test_a_program_photo_is_public_as_a_copy_and_its_original_for_staff(
    client, editor, settings
):
    program = ProgramFactory()
    photo = ProgramPhoto.objects.create(
        program=program,
        image=SimpleUploadedFile("浑源县-张三.jpg", jpeg("red")),
        caption="电商服务中心",
        credit="记者摄",
        alt_text="货架",
    )
    photo.refresh_from_db()
    (copy,) = public_files(settings)
    assert (
        photo.publishable_version().name
        == copy.relative_to(settings.MEDIA_ROOT).as_posix()
    )
    assert "张三" not in photo.image.name
    original = photo.image.url
    assert client.get(original).status_code == 302
    client.force_login(editor)
    assert client.get(original).status_code == 200


def old_style_photo(settings, story: Story, relative: str, colour: str) -> StoryPhoto:
    """A photo as the old layout stored it: the upload, by its own name, in
    the public folder."""
    path = Path(settings.MEDIA_ROOT, relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(jpeg(colour))
    photo = StoryPhoto.objects.create(
        story=story, caption="旧照片。", credit="杨亚俊摄", alt_text="旧照片"
    )
    StoryPhoto.objects.filter(pk=photo.pk).update(image=relative, width=60, height=40)
    return photo


def test_the_move_command_takes_old_originals_out_of_the_public_folder(demo, settings):
    story = Story.objects.get(slug=CHILD_STORY)
    grandpa = old_style_photo(
        settings, story, "photos/2019/11/pan-aizhang-zhang-shidi.jpg", "red"
    )
    grandpa.people_shown.add(Person.objects.get(real_name="潘蔼章"))
    boy = old_style_photo(settings, story, "photos/2019/11/潘长君.jpg", "green")
    boy.people_shown.add(Person.objects.get(real_name="潘长君"))
    # A version saved before the move (history, trash) names the old file.
    with reversion.create_revision():
        reversion.add_to_revision(story)

    out = io.StringIO()
    call_command("move_photo_originals", stdout=out)
    assert "移到私有存储的文件：2 个" in out.getvalue()

    grandpa.refresh_from_db()
    boy.refresh_from_db()
    for photo in (grandpa, boy):
        assert photo.image.name.startswith("photos/")
        assert "2019" not in photo.image.name
        assert Path(settings.PRIVATE_MEDIA_ROOT, photo.image.name).is_file()
    # Only the grandfather's photo may be shown: the one public file is its copy.
    assert public_files(settings) == [
        Path(settings.MEDIA_ROOT, grandpa.public_image.name)
    ]
    assert not boy.public_image
    assert not Path(settings.MEDIA_ROOT, "photos").exists()
    (version,) = Version.objects.get_for_model(StoryPhoto).filter(
        object_id=str(grandpa.pk)
    )
    assert (
        json.loads(version.serialized_data)[0]["fields"]["image"] == grandpa.image.name
    )

    # A second run finds nothing to do.
    before = files_under(settings.MEDIA_ROOT) + files_under(settings.PRIVATE_MEDIA_ROOT)
    out = io.StringIO()
    call_command("move_photo_originals", stdout=out)
    assert "没有需要移动的图片" in out.getvalue()
    after = files_under(settings.MEDIA_ROOT) + files_under(settings.PRIVATE_MEDIA_ROOT)
    assert after == before
    grandpa_again = StoryPhoto.objects.get(pk=grandpa.pk)
    assert grandpa_again.image.name == grandpa.image.name
    assert grandpa_again.public_image.name == grandpa.public_image.name


def test_a_consent_ending_on_a_set_date_loses_its_file_at_the_daily_check(
    client, demo, editor, settings
):
    """No save reports a withdrawal dated in advance: pages stop showing the
    photo that day, and the daily check deletes its file."""
    story = Story.objects.get(slug=CHILD_STORY)
    grandfather = Person.objects.get(real_name="潘蔼章")
    client.force_login(editor)
    upload_photo(client, story, [grandfather])
    client.logout()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    for consent in grandfather.consents.all():
        consent.withdrawn_on = tomorrow
        consent.save()
    # In force today: the copy stays.
    assert len(public_files(settings)) == 1

    with time_machine.travel(tomorrow + datetime.timedelta(hours=12)):
        assert photo_sources(client.get(story.get_absolute_url()).text) == []
        out = io.StringIO()
        call_command("sync_photo_copies", stdout=out)
    assert "新建或删除的公开副本：1 个" in out.getvalue()
    assert public_files(settings) == []


def test_restoring_an_older_version_makes_the_copy_that_version_allows(
    client, demo, editor, settings
):
    """Versions leave the copy out: restoring one makes the copy from the
    file that version publishes, and the copy it had goes."""
    story = Story.objects.get(slug=CHILD_STORY)
    client.force_login(editor)
    photo = upload_photo(client, story, [Person.objects.get(real_name="潘蔼章")])
    url = admin_url(story, "change", story.pk)
    data = change_form_data(
        client.get(url),
        **{
            "photos-0-must_blur_faces": "on",
            "photos-0-blurred_image": SimpleUploadedFile(
                "blurred.jpg", jpeg("blue"), content_type="image/jpeg"
            ),
        },
    )
    assert client.post(url, data).status_code == 302
    (blue_copy,) = public_files(settings)
    assert colour_of(blue_copy)[2] > 200

    unblurred = services.versions_of(story).last()
    response = client.post(admin_url(story, "restore", story.pk, unblurred.pk))
    assert response.status_code == 302
    photo.refresh_from_db()
    assert not photo.must_blur_faces
    (copy,) = public_files(settings)
    assert copy.relative_to(settings.MEDIA_ROOT).as_posix() == photo.public_image.name
    assert photo.public_image_source == photo.image.name
    assert colour_of(copy)[0] > 200


def test_the_daily_check_deletes_copies_no_photo_refers_to(settings):
    """A copy written by a save that then failed is nobody's: the daily check
    deletes it once it is an hour old, not while a save may still be on."""
    folder = Path(settings.MEDIA_ROOT, "p")
    folder.mkdir(parents=True)
    old, fresh = folder / ("0" * 32 + ".jpg"), folder / ("f" * 32 + ".jpg")
    for path in (old, fresh):
        path.write_bytes(jpeg("red"))
    two_hours_ago = time.time() - 2 * 3600
    os.utime(old, (two_hours_ago, two_hours_ago))

    call_command("sync_photo_copies", stdout=io.StringIO())
    assert public_files(settings) == [fresh]
