"""Real app servers for tests: gunicorn processes on the test database
(PostgreSQL), and just enough of a browser to talk to them."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

BASE_DIR = Path(django_settings.BASE_DIR)

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: two server processes cannot share SQLite's "
    "in-memory test database",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """Just enough of a browser: cookies, CSRF tokens, forms, uploads."""

    def __init__(self, host: str | None = None):
        """`host`: the name to ask for (Host header) whichever server answers,
        as readers do of servers behind one address."""
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect()
        )
        self.headers = {"Host": host} if host else {}

    def get(self, url: str) -> str:
        request = urllib.request.Request(url, headers=self.headers)
        with self.opener.open(request, timeout=60) as response:
            return response.read().decode()

    def fetch(self, url: str):
        """(status, headers, text), whatever the status."""
        request = urllib.request.Request(url, headers=self.headers)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read().decode()

    def post(self, url: str, fields: dict, files: dict | None = None):
        if files:
            body, content_type = multipart(fields, files)
        else:
            body = urllib.parse.urlencode(fields).encode()
            content_type = "application/x-www-form-urlencoded"
        request = urllib.request.Request(
            url, data=body, headers={"Content-Type": content_type, "Referer": url}
        )
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    for name, (filename, data) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def csrf_token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def database_url() -> str:
    return "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict)


@contextmanager
def app_servers(folder: Path, count: int = 2, **environment):
    """`count` gunicorn processes (one worker each) on the test database, each
    with its own private, media and temporary folders; yields their
    (address, folder) pairs once each answers."""
    servers, urls = [], []
    for index in range(count):
        port, disk = free_port(), folder / f"server-{index}"
        (disk / "tmp").mkdir(parents=True)
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "DJANGO_DEBUG": "1",
            "DJANGO_SECRET_KEY": django_settings.SECRET_KEY,
            "DJANGO_PRIVATE_MEDIA_ROOT": str(disk / "private"),
            "DJANGO_MEDIA_ROOT": str(disk / "media"),
            "TMPDIR": str(disk / "tmp"),
            **environment,
        }
        command = [sys.executable, "-m", "gunicorn", "portal.wsgi"]
        command += ["--bind", f"127.0.0.1:{port}", "--workers", "1"]
        servers.append(
            subprocess.Popen(
                [*command, "--timeout", "120"],
                cwd=BASE_DIR,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=(disk / "server.log").open("wb"),
            )
        )
        urls.append((f"http://127.0.0.1:{port}", disk))
    try:
        for url, _disk in urls:
            for _attempt in range(150):
                try:
                    urllib.request.urlopen(url + "/admin/login/", timeout=30).read()
                    break
                except OSError:
                    time.sleep(0.2)
        yield urls
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


def log_in(browser: "Browser", server: str, username: str) -> None:
    login = browser.get(server + "/admin/login/")
    status, _body = browser.post(
        server + "/admin/login/?next=/admin/",
        {
            "csrfmiddlewaretoken": csrf_token(login),
            "username": username,
            "password": "pw-for-tests-only",
        },
    )
    assert status == 302, "the login failed"
