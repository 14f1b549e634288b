import importlib

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from tests.conftest import staff_user

IMPORTERS = importlib.import_module("programs.migrations.0004_importer_group")


def ensure_importers_group() -> Group:
    """The group 导入 and its permissions, as the migration made them (a
    transactional test elsewhere may have flushed both)."""
    group, _ = Group.objects.get_or_create(name=IMPORTERS.GROUP)
    for (app_label, model), label in IMPORTERS.IMPORTABLE.items():
        permission, _ = Permission.objects.get_or_create(
            content_type=ContentType.objects.get(app_label=app_label, model=model),
            codename=f"import_{model}",
            defaults={"name": label},
        )
        group.permissions.add(permission)
    return group


@pytest.fixture
def importer(db):
    """An editor who is also in the group 导入."""
    user = staff_user("importer", "编辑")
    user.groups.add(ensure_importers_group())
    return user


@pytest.fixture(autouse=True)
def _private_upload_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "import_export": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "imports"},
        },
    }
    return tmp_path / "imports"
