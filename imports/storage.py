"""django-import-export's temporary storage, in the database.

Set as IMPORT_EXPORT_TMP_STORAGE_CLASS: the file a preview read waits in a
row of ImportUpload until the confirmation reads it, so any app server can
confirm what another previewed, with no shared folder between them.
"""

import uuid

from import_export.tmp_storages import BaseStorage

from imports.models import ImportUpload


class DatabaseStorage(BaseStorage):
    def save(self, data) -> None:
        if isinstance(data, str):
            data = data.encode(self.encoding or "utf-8")
        upload = ImportUpload.objects.create(data=data, size=len(data))
        self.name = str(upload.pk)

    def read(self):
        upload = self._upload().first()
        if upload is None:
            raise FileNotFoundError(self.name)
        # Bytes, whatever the mode, as MediaStorage does: the portal's formats
        # decode text themselves (CSV in any encoding).
        return bytes(upload.data)

    def remove(self) -> None:
        self._upload().delete()

    def _upload(self):
        try:
            key = uuid.UUID(str(self.name))
        except ValueError:
            return ImportUpload.objects.none()
        return ImportUpload.objects.filter(pk=key)
