from django import forms
from django.core.files.uploadedfile import UploadedFile

from privacy.images import without_metadata


class PhotoForm(forms.ModelForm):
    """Every image uploaded through it loses EXIF and GPS data before it is
    stored, so no one can ever download the original metadata."""

    IMAGE_FIELDS = ("image", "blurred_image")

    def clean(self):
        cleaned = super().clean()
        for name in self.IMAGE_FIELDS:
            upload = cleaned.get(name)
            if isinstance(upload, UploadedFile):
                try:
                    cleaned[name] = without_metadata(upload)
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return cleaned
