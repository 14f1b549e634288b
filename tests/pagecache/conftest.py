import os
import uuid

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


def forget(url: str, prefix: str) -> None:
    import redis

    stored = redis.Redis.from_url(url)
    for key in stored.scan_iter(match=f"{prefix}:*"):
        stored.delete(key)


@pytest.fixture
def redis_cache(settings):
    """The Redis cache, under a key prefix of this test's own: another test
    run on the same Redis (CI beside a newcomer's check) neither sees its
    pages nor empties them. Yields the settings the app servers need."""
    url, prefix = redis_url(), f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    forget(url, prefix)
    yield {"CACHE_URL": url, "CACHE_KEY_PREFIX": prefix}
    forget(url, prefix)


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
