from django import forms
from django.core.files.uploadedfile import UploadedFile

from privacy.images import checked_document, without_metadata


class CheckedUploadsForm(forms.ModelForm):
    """Replaces each new upload in CHECKS by what its check returns, or
    puts the check's message on the field."""

    CHECKS: dict = {}

    def clean(self):
        cleaned = super().clean()
        for name, check in self.CHECKS.items():
            upload = cleaned.get(name)
            if isinstance(upload, UploadedFile):
                try:
                    cleaned[name] = check(upload)
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return cleaned


class PhotoForm(CheckedUploadsForm):
    """Every image uploaded through it loses EXIF and GPS data before it is
    stored, so no one can ever download the original metadata."""

    CHECKS = {"image": without_metadata, "blurred_image": without_metadata}


class ConsentForm(CheckedUploadsForm):
    """A consent scan is a PDF, JPEG or PNG by its content, within its size."""

    CHECKS = {"document": checked_document}
