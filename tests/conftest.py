import importlib
import os
import shutil

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from tests.factories import RegionFactory


@pytest.fixture(autouse=True, scope="session")
def _plain_http():
    # The test client speaks plain HTTP; tests/test_security.py checks the
    # redirect to HTTPS that production settings turn on.
    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


@pytest.fixture(autouse=True)
def _plain_static_and_temp_media(settings, tmp_path):
    # The hashed-name storage needs collectstatic; tests serve files as they are.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    # Staff accounts are made in most tests; the real hasher makes each take
    # a noticeable fraction of a second. The others still check older hashes.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]


@pytest.fixture(autouse=True)
def _default_language():
    # A request to an /en/ page leaves English active in this thread, where
    # the next test's reverse() would build /en/ addresses.
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def static_files(settings):
    # Served from the app's folders, as `make run` does, without collectstatic.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture
def demo(db) -> None:
    """The seed page's content, as `make run` loads it."""
    call_command("load_demo", verbosity=0)


GROUPS_MIGRATION = importlib.import_module("stories.migrations.0003_editorial_groups")
ADDED_PERMISSIONS = [
    importlib.import_module(f"stories.migrations.{name}").ADDED
    for name in ("0006_workflow_permissions", "0008_privacy_permissions")
]
REMOVED_PERMISSIONS = [
    importlib.import_module(f"stories.migrations.{name}").REMOVED
    for name in ("0013_authors_without_consent_scans",)
]


def ensure_newsroom_groups() -> None:
    """The 作者, 编辑 and 审核 groups as the migrations made them.

    A transactional test (live_server) empties every table when it ends, so the
    groups the migrations created are gone for the tests after it; the
    permissions themselves are recreated by the flush."""
    for name, codenames in GROUPS_MIGRATION.GROUPS.items():
        group, created = Group.objects.get_or_create(name=name)
        if not created:
            continue
        group.permissions.set(
            Permission.objects.filter(
                content_type__app_label__in=["programs", "stories"],
                codename__in=codenames,
            )
        )
        for app_label, codename in [
            p for added in ADDED_PERMISSIONS for p in added.get(name, [])
        ]:
            group.permissions.add(
                Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                )
            )
        for app_label, codename in [
            p for removed in REMOVED_PERMISSIONS for p in removed.get(name, [])
        ]:
            group.permissions.remove(
                Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                )
            )


def staff_user(username: str, group: str):
    ensure_newsroom_groups()
    user = get_user_model().objects.create_user(
        username=username, password="pw-for-tests-only", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db):
    return staff_user("editor", "编辑")


@pytest.fixture
def author(db):
    return staff_user("author", "作者")


@pytest.fixture
def reviewer(db):
    return staff_user("reviewer", "审核")


@pytest.fixture
def other_editor(db):
    """A second editor, for two people working on the same item."""
    return staff_user("editor2", "编辑")


@pytest.fixture
def other_author(db):
    return staff_user("author2", "作者")


@pytest.fixture
def county(db):
    province = RegionFactory(name="广西壮族自治区", code="450000", level=1)
    prefecture = RegionFactory(name="贵港市", code="450800", level=2, parent=province)
    return RegionFactory(name="港南区", code="450803", level=3, parent=prefecture)


def chromium_path() -> str | None:
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None
    )


@pytest.fixture
def uncached_pages(settings):
    """For tests that read a view's context: a page from the cache has none."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _empty_cache(request, monkeypatch, settings):
    """Each process's memory cache outlives a test; the pages it kept must not.

    A test's writes never commit (its transaction is rolled back), so the
    page cache would never hear of them: here a change makes a new
    generation at once, as its commit would. Transactional tests
    (tests/pagecache) keep the real wait for the commit."""
    from django.core.cache import cache

    from pagecache import store
    from privacy import files

    marker = request.node.get_closest_marker("django_db")
    commits = "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction")
    )
    if not commits:
        monkeypatch.setattr(store, "bump_on_commit", store.bump)
        # Photo files too: written and deleted at once, as the commit would.
        monkeypatch.setattr(files, "after_commit", lambda func: func())
    settings.PAGE_CACHE_HEADER = True
    cache.clear()
    store.forget_local()
    yield
    cache.clear()
    store.forget_local()
