"""An anonymous reader's walk through every public page of the site."""

from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

from django.test import Client

START = ["/", "/stories/", "/programs/", "/regions/", "/sitemap.xml"]
# Search results around the child's story. (A query naming a protected person
# is echoed back on its page, so those are tested in tests/search instead.)
START += ["/search/?q=潘", "/search/?q=潘某", "/search/?q=上学", "/search/?q=浑源县"]
# Never public: the staff side and signed previews. Files are checked apart.
PRIVATE_PREFIXES = ("/admin/", "/preview/", "/static/", "/media/")


class LinkParser(HTMLParser):
    """Links, images, sitemap <loc>s and GET-form choices of one response."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.images: list[str] = []
        self.form_urls: list[str] = []
        self._form: str | None = None
        self._select: str | None = None
        self._in_loc = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "img" and attrs.get("src"):
            self.images.append(attrs["src"])
        elif tag == "form" and (attrs.get("method") or "get").lower() == "get":
            self._form = attrs.get("action") or ""
        elif tag == "select" and self._form is not None:
            self._select = attrs.get("name")
        elif tag == "option" and self._select and attrs.get("value"):
            query = urlencode({self._select: attrs["value"]})
            self.form_urls.append(f"{self._form}?{query}")
        elif tag == "input" and self._form is not None:
            if attrs.get("type") == "number" and attrs.get("name"):
                for year in ("2018", "2019"):
                    query = urlencode({attrs["name"]: year})
                    self.form_urls.append(f"{self._form}?{query}")
        elif tag == "loc":
            self._in_loc = True

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "loc":
            self._in_loc = False

    def handle_data(self, data):
        if self._in_loc and data.strip():
            self.links.append(data.strip())


def same_site(url: str, base: str) -> str | None:
    """The path and query of a link on this site, or None."""
    parts = urlsplit(urljoin(base, url))
    if parts.scheme not in ("", "http", "https"):
        return None
    if parts.netloc not in ("", "testserver", "example.com"):
        return None
    path = parts.path or "/"
    if path.startswith(PRIVATE_PREFIXES):
        return None
    if path.startswith("/en/") and parts.query:
        # The English interface runs the same views over the same content as the
        # Chinese pages, whose every filter combination is crawled; walking all
        # of them twice would only double the crawl.
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def crawl(limit: int = 2000) -> dict[str, dict]:
    """Every page reachable from the start pages, as an anonymous reader sees
    it: {url: {"body": text, "images": [...], "links": [...]}}."""
    client = Client()
    seen: dict[str, dict] = {}
    queue = list(START)
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        assert len(seen) < limit, "the crawl does not end"
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        body = response.content.decode()
        parser = LinkParser()
        parser.feed(body)
        seen[url] = {"body": body, "images": parser.images, "links": parser.links}
        for link in [*parser.links, *parser.form_urls]:
            target = same_site(link, url)
            if target and target not in seen:
                queue.append(target)
    return seen
