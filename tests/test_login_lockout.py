"""Guessing an editor's password through the admin's login form (django-axes):
five wrong tries for one name from one address lock that pair out, with a page
that says so in Chinese, until the cool-off ends or an admin lifts it. Before
that, one address trying too often, over any names, is throttled
(django-ratelimit)."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import staff_user

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"
HOME = "203.0.113.7"
ELSEWHERE = "198.51.100.20"


@pytest.fixture
def author():
    return staff_user("author", "作者")


def log_in(
    client, password: str, address: str = HOME, username: str = "author", **headers
):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        headers=headers,
    )


PROXY = "127.0.0.1"


def through_the_proxy(client, password: str, forwarded_for: str):
    """A login as the proxy passes it on: from its address, with the header
    it appended the reader's address to."""
    return log_in(client, password, address=PROXY, X_Forwarded_For=forwarded_for)


def fail_five_times(client, **kwargs) -> None:
    for _ in range(5):
        response = log_in(client, "wrong-guess", **kwargs)
        assert response.status_code in (200, 429)


def is_locked_out(response) -> bool:
    return response.status_code == 429 and "登录已暂时锁定" in response.text


def test_a_mistyped_password_still_gets_the_login_form(client, author):
    for _ in range(4):
        response = log_in(client, "wrong-guess")
        assert response.status_code == 200
        assert "请输入一个正确的" in response.text or "errornote" in response.text
    assert log_in(client, PASSWORD).status_code == 302


def test_five_failures_lock_the_name_out_from_that_address(client, author):
    fail_five_times(client)
    response = log_in(client, PASSWORD)
    assert is_locked_out(response)
    assert "连续 5 次登录失败" in response.text
    assert "30 分钟内不能再从这里登录" in response.text
    assert "联系网站管理员" in response.text
    assert "_auth_user_id" not in client.session


def test_the_lockout_ends_after_the_cool_off(client, author):
    fail_five_times(client)
    assert is_locked_out(log_in(client, PASSWORD))
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(minutes=31)
    with time_machine.travel(later):
        assert log_in(client, PASSWORD).status_code == 302


def test_the_editor_can_still_log_in_from_another_address(client, author):
    fail_five_times(client)
    assert log_in(client, PASSWORD, address=ELSEWHERE).status_code == 302


def test_an_admin_lifts_the_lockout_in_the_admin(client, author):
    fail_five_times(client)
    admin = get_user_model().objects.create_superuser("chief", password=PASSWORD)
    other = client.__class__()
    other.force_login(admin)
    index = other.get(reverse("admin:index")).text
    assert "登录保护" in index and "访问尝试" in index
    attempts = other.get(reverse("admin:axes_accessattempt_changelist"))
    assert attempts.status_code == 200
    assert "author" in attempts.text and HOME in attempts.text
    attempt = AccessAttempt.objects.get(username="author")
    other.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert log_in(client, PASSWORD).status_code == 302


def test_an_admin_lifts_the_lockout_from_the_command_line(client, author):
    fail_five_times(client)
    call_command("axes_reset_username", "author")
    assert log_in(client, PASSWORD).status_code == 302


@pytest.fixture
def behind_the_proxy(settings):
    # As portal/settings.py sets them with DJANGO_BEHIND_PROXY=1.
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    settings.AXES_IPWARE_PROXY_COUNT = 0


def test_behind_the_proxy_the_address_it_appended_counts(
    client, author, behind_the_proxy
):
    # The proxy (127.0.0.1) appends the address it saw to whatever the client
    # sent; forging the left part does not give an attacker a fresh address.
    for forged in range(5):
        through_the_proxy(client, "wrong-guess", f"10.0.0.{forged}, {HOME}")
    locked = through_the_proxy(client, PASSWORD, f"9.9.9.9, {HOME}")
    assert is_locked_out(locked)
    # Recorded against the reader's address, not the proxy's.
    assert AccessAttempt.objects.get().ip_address == HOME
    # The same reader with no header of her own: still the same address.
    assert is_locked_out(through_the_proxy(client, PASSWORD, HOME))
    # Another reader behind the same proxy is a different address.
    assert through_the_proxy(client, PASSWORD, ELSEWHERE).status_code == 302


def test_without_a_proxy_a_forwarded_header_is_ignored(client, author):
    for forged in range(5):
        log_in(client, "wrong-guess", X_Forwarded_For=f"10.0.0.{forged}")
    assert is_locked_out(log_in(client, PASSWORD, X_Forwarded_For=ELSEWHERE))
    assert AccessAttempt.objects.get().ip_address == HOME


def spray(client, names: int, address: str = HOME, **headers) -> list:
    """One wrong password tried over many user names: never a lockout."""
    return [
        log_in(client, "wrong-guess", address, username=f"guess-{n}", **headers)
        for n in range(names)
    ]


def is_throttled(response) -> bool:
    return response.status_code == 429 and "登录太频繁" in response.text


def test_one_address_trying_many_names_is_throttled(client, author):
    tries = spray(client, 10)
    assert [r.status_code for r in tries] == [200] * 10
    throttled = log_in(client, PASSWORD)
    assert is_throttled(throttled)
    assert "尝试登录超过 10 次" in throttled.text
    assert "请 60 秒后再试" in throttled.text
    assert throttled["Retry-After"] == "60"
    assert "不需要管理员处理" in throttled.text
    # The right password was not even checked.
    assert "_auth_user_id" not in client.session
    assert not AccessAttempt.objects.filter(username="author").exists()
    # Looking at the form is not a try.
    assert client.get(reverse("admin:login")).status_code == 200


def test_the_throttle_ends_with_its_window(client, author):
    spray(client, 11)
    assert is_throttled(log_in(client, PASSWORD))
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=121)
    with time_machine.travel(later):
        assert log_in(client, PASSWORD).status_code == 302


def test_the_throttle_is_per_address(client, author):
    spray(client, 11)
    assert log_in(client, PASSWORD, address=ELSEWHERE).status_code == 302


def test_behind_the_proxy_the_throttle_counts_the_reader_not_the_proxy(
    client, author, behind_the_proxy
):
    spray(client, 11, address=PROXY, X_Forwarded_For=f"10.0.0.1, {HOME}")
    assert is_throttled(through_the_proxy(client, PASSWORD, HOME))
    assert through_the_proxy(client, PASSWORD, ELSEWHERE).status_code == 302


def test_the_throttle_follows_its_settings(client, author, settings):
    settings.LOGIN_THROTTLE_TRIES = 3
    settings.LOGIN_THROTTLE_SECONDS = 300
    spray(client, 3)
    throttled = log_in(client, PASSWORD)
    assert is_throttled(throttled)
    assert "请 300 秒后再试" in throttled.text
