"""Signed preview links: anyone holding one may see one unpublished item until
the link expires, without logging in."""

from django.apps import apps
from django.conf import settings
from django.core import signing

SALT = "editorial.preview"


def make_token(obj) -> str:
    return signing.dumps(
        {"m": obj._meta.label_lower, "pk": obj.pk}, salt=SALT, compress=True
    )


def read_token(token: str):
    """The item a token points at. Raises signing.SignatureExpired for an expired
    link and signing.BadSignature for a forged or damaged one."""
    data = signing.loads(token, salt=SALT, max_age=settings.PREVIEW_LINK_MAX_AGE)
    model = apps.get_model(data["m"])
    return model._default_manager.get(pk=data["pk"])
