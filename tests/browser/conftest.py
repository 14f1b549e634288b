"""Shared by the browser tests: one headless Chromium per module."""

import os

import pytest
from django.urls import reverse

from tests.conftest import chromium_path

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests
# make between page loads are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(
                "Chromium is required here (apt-get install chromium fonts-noto-cjk)"
            )
        pytest.skip(
            "Chromium is not installed (apt-get install chromium fonts-noto-cjk)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


PASSWORD = "pw-for-tests-only"
WIDE = 1280


class Visitors:
    """Browser contexts, each with its own cookies: one per person.

    Every page they open reports what the Content-Security-Policy blocked
    (Chromium logs it to the console); the `visitors` fixture fails a test
    in which anything was, so each journey also proves the policy leaves the
    site working."""

    def __init__(self, browser, site: str):
        self.browser, self.site = browser, site
        self.contexts = []
        self.blocked: list[str] = []

    def anonymous(self, width: int = WIDE):
        context = self.browser.new_context(
            viewport={"width": width, "height": 900}, locale="zh-CN"
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: self.watch(page, message))
        return page

    def watch(self, page, message) -> None:
        if "Content Security Policy" in message.text:
            line = message.location.get("lineNumber")
            self.blocked.append(f"{page.url} line {line}: {message.text}")

    def logged_in(self, user):
        """Logs in through the admin's own login form."""
        from playwright.sync_api import expect

        page = self.anonymous()
        page.goto(self.site + reverse("admin:login"))
        page.get_by_label("用户名").fill(user.get_username())
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page).to_have_url(self.site + reverse("admin:index"))
        return page

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def visitors(browser, site):
    people = Visitors(browser, site)
    yield people
    people.close()
    assert not people.blocked, "\n".join(people.blocked)
