"""Uploaded photos lose their metadata before anyone can download them."""

from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def without_metadata(upload) -> SimpleUploadedFile:
    """Re-encode an image from its pixels alone: EXIF (camera, time, GPS
    position), XMP and comments are not carried over. The orientation EXIF
    asked for is applied to the pixels first, so the photo still stands upright."""
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            if kind not in FORMATS:
                raise ValidationError(_("只接受 JPEG、PNG 或 WebP 格式的图片。"))
            image = ImageOps.exif_transpose(image)
            # A new image from the raw pixels carries no metadata at all.
            clean = Image.frombytes(image.mode, image.size, image.tobytes())
            if image.mode == "P" and image.getpalette():
                clean.putpalette(image.getpalette())
            out = BytesIO()
            options = {"quality": 90} if kind in {"JPEG", "WEBP"} else {}
            clean.save(out, format=kind, **options)
    except (OSError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("无法读取这张图片，请换一个文件。")) from exc
    return SimpleUploadedFile(upload.name, out.getvalue(), content_type=FORMATS[kind])
