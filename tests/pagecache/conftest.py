import os

import pytest


def redis_url() -> str:
    """A Redis database of its own for the tests (the last of the default 16),
    or a skip when no Redis answers; CI, which starts one, fails instead."""
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("REQUIRE_REDIS"):
            raise
        pytest.skip(f"no Redis at {url}")
    return url


@pytest.fixture
def redis_cache(settings):
    url = redis_url()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
        }
    }
    from django.core.cache import cache

    cache.clear()
    yield url
    cache.clear()


@pytest.fixture
def reviewer_with_password(transactional_db):
    """A reviewer the app servers can log in (hashed as they hash: the tests'
    faster hasher is not theirs)."""
    from django.contrib.auth.hashers import make_password

    from tests.conftest import staff_user

    user = staff_user("reviewer", "审核")
    user.password = make_password("pw-for-tests-only", hasher="pbkdf2_sha256")
    user.save()
    return user
