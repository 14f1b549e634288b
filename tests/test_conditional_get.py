"""A reader's browser that asks again for a page it has gets 304 Not
Modified while the page is the same, and the new page once it changed."""

from django.urls import reverse

from tests.factories import StoryFactory


def test_an_unchanged_page_is_not_sent_twice_and_a_changed_one_is(client, db):
    story = StoryFactory(title="竹编合作社")
    first = client.get(story.get_absolute_url())
    etag = first.headers["ETag"]

    again = client.get(story.get_absolute_url(), headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""

    story.title = "竹编合作社的新订单"
    story.save()
    changed = client.get(story.get_absolute_url(), headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert "竹编合作社的新订单" in changed.content.decode()
    assert changed.headers["ETag"] != etag


def test_list_pages_answer_conditional_requests_too(client, db):
    StoryFactory()
    for url in (reverse("home"), reverse("stories:list"), reverse("programs:list")):
        etag = client.get(url).headers["ETag"]
        assert client.get(url, headers={"if-none-match": etag}).status_code == 304
