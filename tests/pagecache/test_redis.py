"""With CACHE_URL=redis://…, the app servers share the cache and the
content's generation: a page kept by one is served by another, and a change
committed through one is seen through all."""

import pytest
from django.core.cache import cache, caches
from django.test import override_settings
from django.urls import reverse

from pagecache import store
from tests.factories import StoryFactory
from tests.servers import Browser, app_servers, csrf_token, log_in, needs_postgresql


@pytest.mark.django_db(transaction=True)
def test_the_generation_lives_in_redis_and_a_hit_needs_no_database(
    client, redis_cache, django_assert_num_queries
):
    story = StoryFactory(title="竹编合作社的订单")
    assert not store.in_database()
    before = store.current()
    assert cache.get(store.GENERATION_KEY) == before
    assert client.get(story.get_absolute_url()).headers["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        hit = client.get(story.get_absolute_url())
    assert hit.headers["X-Page-Cache"] == "hit"

    story.title = "竹编合作社的新订单"
    story.save()
    assert store.current() == before + 1
    assert "竹编合作社的新订单" in client.get(story.get_absolute_url()).text


@pytest.mark.django_db(transaction=True)
def test_a_lost_generation_never_brings_old_pages_back(client, redis_cache):
    story = StoryFactory(title="竹编合作社的订单")
    client.get(story.get_absolute_url())
    cache.delete(store.GENERATION_KEY)  # evicted, or Redis restarted empty
    assert client.get(story.get_absolute_url()).headers["X-Page-Cache"] == "miss"


@needs_postgresql
def test_publish_through_one_server_and_read_it_fresh_through_the_other(
    transactional_db, redis_cache, tmp_path, reviewer_with_password
):
    published = StoryFactory(title="早已发布的故事")
    waiting = StoryFactory(title="等待发布的故事", status="review")
    with app_servers(tmp_path, **redis_cache) as servers:
        (one, _disk_one), (other, _disk_other) = servers
        reader = Browser(host="localhost")
        for _ in range(2):
            status, headers, page = reader.fetch(other + "/stories/")
        assert headers["X-Page-Cache"] == "hit"
        assert "等待发布的故事" not in page
        assert reader.fetch(other + waiting.get_absolute_url())[0] == 404
        # Kept by one server, served by the other: the cache is shared.
        assert reader.fetch(one + "/stories/")[1]["X-Page-Cache"] == "hit"

        editor = Browser()
        log_in(editor, one, reviewer_with_password.username)
        transition = f"/admin/stories/story/{waiting.pk}/transition/publish/"
        form = editor.get(one + transition)
        status, _body = editor.post(
            one + transition, {"csrfmiddlewaretoken": csrf_token(form)}
        )
        assert status == 302

        status, headers, page = reader.fetch(other + "/stories/")
        assert "等待发布的故事" in page and "早已发布的故事" in page
        assert reader.fetch(other + waiting.get_absolute_url())[0] == 200

        transition = f"/admin/stories/story/{published.pk}/transition/unpublish/"
        form = editor.get(one + transition)
        editor.post(one + transition, {"csrfmiddlewaretoken": csrf_token(form)})
        assert reader.fetch(other + published.get_absolute_url())[0] == 404
        assert "早已发布的故事" not in reader.fetch(other + reverse("home"))[2]


@pytest.mark.django_db(transaction=True)
def test_a_redis_that_is_down_slows_pages_but_never_breaks_them(client):
    story = StoryFactory(title="竹编合作社的订单")
    down = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    urls = ["/", "/stories/", story.get_absolute_url(), "/search/?q=竹编"]
    with override_settings(CACHES=down):
        for url in [*urls, story.region.get_absolute_url(), "/sitemap.xml"]:
            assert client.get(url).status_code == 200, url


@pytest.mark.django_db(transaction=True)
def test_a_change_whose_new_generation_failed_is_never_hidden_by_old_pages(
    client, redis_cache, monkeypatch
):
    story = StoryFactory(title="竹编合作社的订单")
    url = story.get_absolute_url()
    client.get(url)
    backend = caches["default"]

    def broken(*args, **kwargs):
        raise ConnectionError("Redis went away for a moment")

    monkeypatch.setattr(backend, "incr", broken)
    story.title = "竹编合作社的新订单"
    story.save()
    # The old page is still in Redis under the current generation: this
    # process must not serve it...
    assert "竹编合作社的新订单" in client.get(url).text
    monkeypatch.undo()
    # ...and once Redis answers again the retried bump makes it stale for all.
    assert client.get(url).headers["X-Page-Cache"] == "miss"
    assert client.get(url).headers["X-Page-Cache"] == "hit"
    assert "竹编合作社的新订单" in client.get(url).text


@pytest.mark.django_db(transaction=True)
def test_protected_real_names_never_go_to_the_shared_cache(client, redis_cache):
    from privacy.rules import site_name_replacements
    from tests.factories import PersonFactory, StoryPersonFactory

    person = PersonFactory(real_name="潘长君")
    StoryPersonFactory(story=StoryFactory(), person=person)
    assert "潘长君" in site_name_replacements()
    client.get("/programs/")
    import redis

    stored = redis.Redis.from_url(redis_cache["CACHE_URL"])
    keys = stored.scan_iter(match=f"{redis_cache['CACHE_KEY_PREFIX']}:*")
    values = [stored.get(key) or b"" for key in keys]
    assert values and not any("潘长君".encode() in value for value in values)
