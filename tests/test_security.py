"""The security headers and cookies every response carries, with production
settings (tests run with DEBUG off; HTTPS requests through `secure=True`)."""

import re

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from stories.models import StoryQuerySet
from tests.conftest import staff_user
from tests.factories import StoryFactory

pytestmark = pytest.mark.django_db

ONE_YEAR = 365 * 24 * 3600


def assert_hardened(response) -> None:
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        assert directive in policy
    assert response["Strict-Transport-Security"] == (
        f"max-age={ONE_YEAR}; includeSubDomains; preload"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-site"
    for feature in ("camera", "microphone", "geolocation", "payment"):
        assert f"{feature}=()" in response["Permissions-Policy"]


def test_every_kind_of_response_carries_the_headers(client, static_files, editor):
    story = StoryFactory()
    responses = {
        "page": client.get(story.get_absolute_url(), secure=True),
        "page from the cache": client.get(story.get_absolute_url(), secure=True),
        "not found": client.get("/no-such-page/", secure=True),
        "static file": client.get("/static/css/site.css", secure=True),
        "admin login": client.get(reverse("admin:login"), secure=True),
    }
    client.force_login(editor)
    responses["admin"] = client.get(reverse("admin:index"), secure=True)
    responses["import page"] = client.get(
        reverse("admin:programs_program_import"), secure=True
    )
    for name, response in responses.items():
        assert response.status_code in (200, 403, 404), name
        assert_hardened(response)
    assert responses["page from the cache"]["X-Page-Cache"] == "hit"
    assert responses["static file"]["Content-Type"].startswith("text/css")


def failing_story_queries(client, monkeypatch, error: Exception) -> None:
    """Every page that reads published stories fails with the error, and
    the client gets the error page instead of the exception."""

    def fail(self):
        raise error

    monkeypatch.setattr(StoryQuerySet, "published", fail)
    client.raise_request_exception = False


def nonce_of(response) -> str:
    return re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])[1]


def test_readers_pages_need_no_nonce_and_admin_styles_carry_one(client, editor):
    story = StoryFactory()
    page = client.get(story.get_absolute_url(), secure=True)
    assert "nonce-" not in page["Content-Security-Policy"]
    assert "nonce=" not in page.text
    client.force_login(editor)
    change = client.get(
        reverse("admin:stories_story_change", args=[story.pk]), secure=True
    )
    nonce = nonce_of(change)
    assert f'<style nonce="{nonce}">' in change.text
    again = client.get(
        reverse("admin:stories_story_change", args=[story.pk]), secure=True
    )
    assert f"'nonce-{nonce}'" not in again["Content-Security-Policy"]


def test_the_error_page_is_styled_under_the_policy(client, monkeypatch):
    failing_story_queries(client, monkeypatch, RuntimeError("the database went away"))
    response = client.get("/", secure=True)
    assert response.status_code == 500
    assert "服务器出错" in response.text
    nonce = nonce_of(response)
    assert f'<style nonce="{nonce}">' in response.text
    assert_hardened(response)


def test_plain_http_is_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/stories/?page=2")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/stories/?page=2"
    # Behind the reverse proxy, which terminated HTTPS and says so.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert (
        client.get("/stories/", headers={"X-Forwarded-Proto": "https"}).status_code
        == 200
    )


def test_session_and_csrf_cookies_are_secure_httponly_and_same_site(client):
    staff_user("author", "作者")
    client.get(reverse("admin:login"), secure=True)
    response = client.post(
        reverse("admin:login"),
        {"username": "author", "password": "pw-for-tests-only"},
        secure=True,
    )
    assert response.status_code == 302
    for name in ("sessionid", "csrftoken"):
        cookie = client.cookies[name]
        assert cookie["secure"] is True, name
        assert cookie["httponly"] is True, name
        assert cookie["samesite"] == "Lax", name


def test_the_language_cookie_would_be_as_strict(settings):
    # No page sets it today (the language is in the address), but Django's
    # set_language view would, with these.
    assert settings.LANGUAGE_COOKIE_SECURE is True
    assert settings.LANGUAGE_COOKIE_HTTPONLY is True
    assert settings.LANGUAGE_COOKIE_SAMESITE == "Lax"


def test_a_forbidden_page_says_so_in_chinese(client, author):
    client.force_login(author)
    response = client.get(reverse("admin:programs_program_import"), secure=True)
    assert response.status_code == 403
    assert "没有权限" in response.text
    assert_hardened(response)


def test_a_form_sent_without_its_token_says_how_to_retry():
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("admin:login"), {"username": "a", "password": "b"}, secure=True
    )
    assert response.status_code == 403
    assert "页面已过期" in response.text
    assert "刷新后再提交" in response.text
    assert_hardened(response)


def test_a_database_that_cannot_be_reached_gets_a_503_page(client, monkeypatch):
    failing_story_queries(client, monkeypatch, OperationalError("connection refused"))
    response = client.get("/stories/", secure=True)
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "网站暂时忙" in response.text
    assert_hardened(response)


def test_connections_are_checked_before_each_request_reuses_them(settings):
    # After a database restart, the first request finds the stale connection
    # and opens a new one, with no restart of the app servers.
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
