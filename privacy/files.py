"""Photo files: the originals (and blurred versions) stay in private storage,
and readers get only a copy re-encoded from their pixels, under a random name.

This module holds the mechanics (names, storage, copies, deletion). Whether a
photo may be shown at all is decided by the models that own photos, which call
`keep_public_copy` with the file readers may see, or None."""

import datetime
import logging
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path, PurePath

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.db import models
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image

from portal.transactions import once_on_commit
from privacy.images import without_metadata
from privacy.models import PrivateStorage

logger = logging.getLogger(__name__)

# Folders: originals under PRIVATE_MEDIA_ROOT, copies under MEDIA_ROOT.
PRIVATE_FOLDER = "photos"
PUBLIC_FOLDER = "p"
# The extensions without_metadata gives; anything else keeps none.
EXTENSIONS = {".jpg": ".jpg", ".jpeg": ".jpg", ".png": ".png", ".webp": ".webp"}


class PrivatePhotoStorage(PrivateStorage):
    """Originals and blurred versions, beside the consent scans and never
    served by the web server. Their URL is a staff-only admin view that
    checks the permission to view the photo's record."""

    def url(self, name):
        return reverse("photo_original", args=[name])


def private_photo_storage() -> PrivatePhotoStorage:
    return PrivatePhotoStorage()


def random_name(folder: str, filename: str) -> str:
    """A name that keeps nothing of the upload's (潘长君.jpg, pan-aizhang.jpg):
    disks, backups and addresses must not spell anyone."""
    extension = EXTENSIONS.get(PurePath(filename).suffix.lower(), "")
    return f"{folder}/{uuid.uuid4().hex}{extension}"


def private_photo_name(instance, filename: str) -> str:
    return random_name(PRIVATE_FOLDER, filename)


def public_copy_name(instance, filename: str) -> str:
    return random_name(PUBLIC_FOLDER, filename)


def after_commit(func: Callable[[], object]) -> None:
    """Files are written and deleted for changes that last: once the saving
    transaction commits (at once outside one), never for a rolled-back save.
    Once per transaction for the same function. (Tests that never commit
    replace this by a direct call.)"""
    once_on_commit(func)


def public_fields(model) -> list[models.FileField]:
    return [
        f
        for f in model._meta.fields
        if isinstance(f, models.FileField)
        and not isinstance(f.storage, PrivatePhotoStorage)
    ]


def private_fields(model) -> list[models.FileField]:
    return [
        f
        for f in model._meta.fields
        if isinstance(f, models.FileField)
        and isinstance(f.storage, PrivatePhotoStorage)
    ]


def photo_models() -> Iterator[tuple[type[models.Model], list[models.FileField]]]:
    """Every model with files in private photo storage, with those fields."""
    for model in apps.get_models():
        if fields := private_fields(model):
            yield model, fields


def make_public_copy(photo, source: FieldFile) -> tuple[str, int, int]:
    """Re-encode `source` from its pixels alone into a new public file; its
    name, width and height."""
    field = photo._meta.get_field("public_image")
    with source.open("rb"):
        clean = without_metadata(source)
    with Image.open(clean) as image:
        width, height = image.size
    clean.seek(0)
    name = field.storage.save(field.generate_filename(photo, clean.name), clean)
    return name, width, height


def keep_public_copy(photo, source: FieldFile | None) -> bool:
    """Make the photo's public copy match `source`, the private file readers
    may see (None: the photo may not be shown, so it has no public file).
    Returns whether anything changed. The row is written with update(), so no
    save signal runs again."""
    wanted = source.name if source else ""
    if wanted == photo.public_image_source and bool(wanted) == bool(photo.public_image):
        return False
    field = photo._meta.get_field("public_image")
    old = photo.public_image.name
    name, width, height = "", None, None
    if wanted:
        try:
            name, width, height = make_public_copy(photo, source)
        except (OSError, ValidationError):
            # A file missing from storage or no longer within the limits: no
            # copy, and the next check tries again.
            logger.warning("No public copy of photo file %s", wanted, exc_info=True)
            wanted = ""
    try:
        type(photo)._default_manager.filter(pk=photo.pk).update(
            public_image=name,
            public_width=width,
            public_height=height,
            public_image_source=wanted,
        )
    except Exception:
        if name:
            field.storage.delete(name)
        raise
    photo.public_image = name
    photo.public_width, photo.public_height = width, height
    photo.public_image_source = wanted
    if old:
        delete_after_commit(field.storage, old)
    return bool(old or name)


def delete_after_commit(storage: Storage, name: str) -> None:
    def delete() -> None:
        storage.delete(name)

    after_commit(delete)


def delete_photo_files(photo, *, originals: bool) -> None:
    """When a photo is deleted: its public copy always; its original and
    blurred version too unless the trash may still bring the photo back."""
    fields = public_fields(type(photo)) + (
        private_fields(type(photo)) if originals else []
    )
    for field in fields:
        if name := getattr(photo, field.attname).name:
            delete_after_commit(field.storage, name)


def private_inside_public(**kwargs) -> list[checks.CheckMessage]:
    """The web server serves MEDIA_ROOT whole: private files must be elsewhere."""
    public = Path(settings.MEDIA_ROOT).resolve()
    private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    if private == public or public in private.parents:
        return [
            checks.Error(
                _("DJANGO_PRIVATE_MEDIA_ROOT 不能在 DJANGO_MEDIA_ROOT 里面。"),
                hint=_("原图和同意书扫描件会被网页服务器公开。"),
                id="privacy.E001",
            )
        ]
    return []


def stray_public_copies(storage: Storage, older_than: datetime.timedelta) -> list[str]:
    """Files in the public copies' folder that no photo refers to (a copy
    written by a transaction that then failed), older than `older_than`, so
    that a copy being made this moment is left alone."""
    referenced = {
        name
        for model, _fields in photo_models()
        for name in model._default_manager.exclude(public_image="").values_list(
            "public_image", flat=True
        )
    }
    if not storage.exists(PUBLIC_FOLDER):
        return []
    cutoff = timezone.now() - older_than
    names = (f"{PUBLIC_FOLDER}/{n}" for n in storage.listdir(PUBLIC_FOLDER)[1])
    return [
        name
        for name in names
        if name not in referenced and storage.get_modified_time(name) < cutoff
    ]


# -- moving the files of the old layout --------------------------------------


def old_originals(storage: Storage) -> list[str]:
    """Files the old layout uploaded into the public folder (photos/%Y/%m/,
    photos/blurred/%Y/%m/): every one an original or a blurred version."""
    found: list[str] = []

    def walk(folder: str) -> None:
        folders, names = storage.listdir(folder)
        found.extend(f"{folder}/{name}" for name in names)
        for sub in folders:
            walk(f"{folder}/{sub}")

    if storage.exists(PRIVATE_FOLDER):
        walk(PRIVATE_FOLDER)
    return sorted(found)


def copy_to_private(public: Storage, private: Storage, name: str) -> str:
    """A copy of a public file in private storage, byte for byte, under a
    random name; its new name."""
    with public.open(name, "rb") as file:
        return private.save(random_name(PRIVATE_FOLDER, name), file)


def remove_empty_folders(storage: Storage, folder: str) -> None:
    """The old layout's year and month folders, once emptied (local disks
    only: object stores have no folders)."""
    try:
        root = Path(storage.path(folder))
    except NotImplementedError:
        return
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*"), key=lambda p: -len(p.parts)):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    if not any(root.iterdir()):
        root.rmdir()
