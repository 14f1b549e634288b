"""Every admin page, import page and reader's page in Chromium under the
Content-Security-Policy: nothing blocked, and the admin's own styles (allowed
by the response's nonce) still applied. The `visitors` fixture fails the test
on anything the policy blocked."""

import contextlib

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from programs.models import Program, Region
from stories.models import Story

pytestmark = pytest.mark.browser

PASSWORD = "pw-for-tests-only"


@pytest.fixture
def site(live_server, transactional_db):
    call_command("load_demo", verbosity=0)
    return live_server.url


def admin_pages() -> list[str]:
    """Index, and for every model: its list, add form, first item's form and
    history, and its import and export pages where it has them."""
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages.append(reverse(f"{name}_changelist"))
        pages.append(reverse(f"{name}_add"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(reverse(f"{name}_change", args=[first.pk]))
            pages.append(reverse(f"{name}_history", args=[first.pk]))
        for view in ("import", "export"):
            with contextlib.suppress(NoReverseMatch):
                pages.append(reverse(f"{name}_{view}"))
    return pages


def reader_pages() -> list[str]:
    return [
        "/",
        "/stories/",
        Story.objects.published().first().get_absolute_url(),
        Program.objects.published().first().get_absolute_url(),
        Region.objects.get(code="450803").get_absolute_url(),
        reverse("search:results") + "?q=浑源县",
        "/no-such-page/",
    ]


def test_admin_and_readers_pages_work_under_the_policy(visitors, site):
    chief = get_user_model().objects.create_superuser("chief", password=PASSWORD)
    page = visitors.logged_in(chief)
    visited = 0
    for path in admin_pages():
        response = page.goto(site + path)
        assert response.status in (200, 403), path
        visited += 1
    assert visited > 40

    # The workflow panel's style is inline, allowed by the nonce.
    story = Story.objects.published().first()
    page.goto(site + reverse("admin:stories_story_change", args=[story.pk]))
    panel = page.locator(".workflow")
    assert panel.evaluate("e => getComputedStyle(e).borderLeftWidth") == "4px"
    # Its first step's confirmation page, with its own inline style.
    panel.get_by_role("link").first.click()
    assert page.locator("form input[type=submit]").count() == 1

    # The export page's "select all", wired up by a script with the nonce.
    page.goto(site + reverse("admin:stories_story_export"))
    fields = page.locator(".selectable-field-export-row input[type=checkbox]")
    assert fields.count() > 5
    page.locator(".select-toggle").uncheck()
    assert (
        page.locator(
            ".selectable-field-export-row input[type=checkbox]:checked"
        ).count()
        == 0
    )

    reader = visitors.anonymous()
    for path in reader_pages():
        reader.goto(site + path)
        assert reader.locator("h1").count() == 1, path


def test_the_lockout_page_works_under_the_policy(visitors, site):
    get_user_model().objects.create_user("author", password=PASSWORD, is_staff=True)
    page = visitors.anonymous()
    page.goto(site + reverse("admin:login"))
    for _ in range(6):
        page.get_by_label("用户名").fill("author")
        page.get_by_label("密码").fill("wrong-guess")
        page.get_by_role("button", name="登录").click()
        if page.get_by_role("heading", name="登录已暂时锁定").count():
            break
    assert page.get_by_role("heading", name="登录已暂时锁定").is_visible()
    assert page.get_by_text("30 分钟内不能再从这里登录").is_visible()
