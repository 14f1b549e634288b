"""An anonymous reader's walk through every public page of the site: the
privacy audit's own crawler (privacy.audit), with search pages around the
child's story, insisting that every page answers."""

from django.test import Client

from privacy import audit

# Search results around the child's story. (A query naming a protected person
# is echoed back on its page, so those are tested in tests/search instead.)
START = [
    *audit.START,
    "/search/?q=潘",
    "/search/?q=潘某",
    "/search/?q=上学",
    "/search/?q=浑源县",
]


def crawl(limit: int = 2000) -> dict[str, dict]:
    """{url: {"body": text, "images": [...], "links": [...]}}"""
    pages = audit.crawl(Client(), limit, START)
    assert len(pages) < limit, "the crawl does not end"
    failed = [url for url, page in pages.items() if not page.body]
    assert not failed, failed
    return {
        url: {"body": page.body, "images": page.images, "links": page.links}
        for url, page in pages.items()
    }
