import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_check(*options, **env) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_"))
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", *options],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_check(DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_weak_secret_key():
    result = run_check(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="short")
    assert result.returncode != 0
    assert "too short" in result.stderr


def test_production_settings_pass_every_deploy_check():
    result = run_check(
        "--deploy",
        "--fail-level",
        "DEBUG",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="fupin.example.cn",
        DJANGO_BEHIND_PROXY="1",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_debug_runs_with_the_development_key():
    assert run_check(DJANGO_DEBUG="1").returncode == 0


@pytest.mark.parametrize(
    ("url", "engine"),
    [
        ("sqlite:////tmp/x.sqlite3", "sqlite3"),
        ("postgres://root@127.0.0.1:5432/portal", "postgresql"),
    ],
)
def test_database_url_chooses_the_engine(url, engine):
    environment = {**os.environ, "DJANGO_DEBUG": "1", "DATABASE_URL": url}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os;"
            "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'portal.settings');"
            "from django.conf import settings;"
            "print(settings.DATABASES['default']['ENGINE'])",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip().endswith(engine)


def test_settings_speak_chinese_in_shanghai(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ
