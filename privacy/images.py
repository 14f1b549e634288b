"""Uploaded photos and scans: checked by what they contain, not by their
name, and re-encoded so that they lose their metadata before anyone can
download them."""

import warnings
from io import BytesIO
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def check_size(upload, limit: int) -> None:
    if upload.size > limit:
        raise ValidationError(
            _("文件太大（%(size)s），最大 %(limit)s。")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )


def named_for(upload, extension: str) -> str:
    """The upload's name with the extension of what it really is: a PNG sent
    as "photo.html" is stored, and served, as "photo.png"."""
    stem = PurePath(upload.name or "file").stem or "file"
    return f"{stem}.{extension}"


def too_many_pixels() -> ValidationError:
    return ValidationError(
        _("图片的像素太多，最多 %(limit)d 万像素。请缩小后再上传。")
        % {"limit": settings.PHOTO_MAX_PIXELS // 10_000}
    )


def without_metadata(upload) -> SimpleUploadedFile:
    """Re-encode an image from its pixels alone: EXIF (camera, time, GPS
    position), XMP and comments are not carried over. The orientation EXIF
    asked for is applied to the pixels first, so the photo still stands upright.

    The size in pixels is read from the header and checked before a single
    pixel is decoded: a small file can claim to be a billion pixels (a
    decompression bomb)."""
    check_size(upload, settings.PHOTO_MAX_UPLOAD_BYTES)
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            # Pillow's own warning comes at twice our limit, checked below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(upload)
        with image:
            kind = image.format
            if kind not in FORMATS:
                raise ValidationError(_("只接受 JPEG、PNG 或 WebP 格式的图片。"))
            if image.width * image.height > settings.PHOTO_MAX_PIXELS:
                raise too_many_pixels()
            image = ImageOps.exif_transpose(image)
            # A new image from the raw pixels carries no metadata at all.
            clean = Image.frombytes(image.mode, image.size, image.tobytes())
            if image.mode == "P" and image.getpalette():
                clean.putpalette(image.getpalette())
            out = BytesIO()
            options = {"quality": 90} if kind in {"JPEG", "WEBP"} else {}
            clean.save(out, format=kind, **options)
    except Image.DecompressionBombError:
        raise too_many_pixels() from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(_("无法读取这张图片，请换一个文件。")) from exc
    return SimpleUploadedFile(
        named_for(upload, EXTENSIONS[kind]), out.getvalue(), content_type=FORMATS[kind]
    )


PDF_MAGIC = b"%PDF-"
# A scan is a PDF, or a photo of the page as a JPEG or PNG.
DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    **{EXTENSIONS[kind]: FORMATS[kind] for kind in ("JPEG", "PNG")},
}


def checked_document(upload) -> SimpleUploadedFile:
    """A consent scan: a PDF as it is, or a photo of the signed page,
    re-encoded like any photo (a phone's picture of a form carries where it
    was taken). Anything else is refused, whatever its name says."""
    check_size(upload, settings.CONSENT_DOCUMENT_MAX_UPLOAD_BYTES)
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head == PDF_MAGIC:
        return SimpleUploadedFile(
            named_for(upload, "pdf"), upload.read(), content_type="application/pdf"
        )
    refused = ValidationError(
        _("同意书扫描件只接受 PDF、JPEG 或 PNG 文件，这个文件不是。")
    )
    try:
        image = without_metadata(upload)
    except ValidationError:
        raise refused from None
    if image.content_type not in DOCUMENT_TYPES.values():
        raise refused
    return image


def document_content_type(name: str) -> str:
    """What a stored scan is served as: only the kinds checked_document lets
    in; anything older or odd is a download of bytes, never a page."""
    return DOCUMENT_TYPES.get(
        PurePath(name).suffix.lstrip(".").lower(), "application/octet-stream"
    )
