from pathlib import PurePath

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest

from privacy.files import photo_models
from privacy.images import EXTENSIONS, FORMATS

# Photos are re-encoded on upload: only what we write is served as an image.
PHOTO_TYPES = {extension: FORMATS[kind] for kind, extension in EXTENSIONS.items()}


def photo_original(request: HttpRequest, name: str) -> FileResponse:
    """An original or blurred photo, for staff allowed to view its record
    (admin.site.admin_view in portal/urls.py sends anyone else to log in).
    The file widgets in the admin link here; readers have no way in."""
    for model, fields in photo_models():
        owner = model._default_manager.filter(
            Q.create([(field.name, name) for field in fields], connector=Q.OR)
        ).first()
        if owner is None:
            continue
        opts = model._meta
        if not request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            raise PermissionDenied
        field = next(f for f in fields if getattr(owner, f.attname).name == name)
        try:
            stored = field.storage.open(name, "rb")
        except FileNotFoundError:
            raise Http404 from None
        content_type = PHOTO_TYPES.get(PurePath(name).suffix.lstrip(".").lower())
        response = FileResponse(
            stored,
            as_attachment=content_type is None,
            content_type=content_type or "application/octet-stream",
        )
        response["Cache-Control"] = "private, no-store"
        return response
    raise Http404
