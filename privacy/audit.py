"""`manage.py privacy_audit`: every public output of the site, as an anonymous
reader gets it, checked for people shown more than their consents allow.

It walks the site in-process from its home page and sitemap (pages, filters,
feeds, downloads, JSON-LD and share tags inside the pages), searches for each
protected person in every spelling, looks at every media address and file, and
runs the checks other apps register (published stories against what their
people allow now and what a reviewer approved, staff roles). Who must be
protected is worked out here from people, households and consents directly,
not through the code the pages use, so that a fault there is caught here.
"""

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, quote_plus, unquote, urlencode, urljoin, urlsplit

from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from pypinyin import lazy_pinyin

from privacy.rules import ProtectedNames, disclose, protect_household
from privacy.spellings import converters, initials

START = ["/", "/stories/", "/programs/", "/regions/", "/sitemap.xml", "/robots.txt"]
# Never public: the staff side and signed previews.
PRIVATE_PREFIXES = ("/admin/", "/preview/", "/static/")


@dataclass(frozen=True)
class Finding:
    """One place a person is shown more than their consents allow."""

    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}\t{self.what}"


# -- what other apps contribute ------------------------------------------------

# People with the dates of the stories that concern them: [(person, [dates])],
# each person with consents and household members (and theirs) prefetched.
_people_sources: list[Callable[[], Iterable]] = []
# Checks of records rather than outputs: [Finding].
_checks: list[Callable[[], Iterable[Finding]]] = []


def audit_people_from(source: Callable[[], Iterable]) -> None:
    if source not in _people_sources:
        _people_sources.append(source)


def audit_check(check: Callable[[], Iterable[Finding]]) -> None:
    if check not in _checks:
        _checks.append(check)


def names_to_audit() -> ProtectedNames:
    """Everyone readers may not see by real name: by their own consents and
    policy at the earliest date a story gives them, or as a member of a
    protected child's household."""
    shown = {}
    for source in _people_sources:
        for person, dates in source():
            earliest = min((d for d in dates if d is not None), default=None)
            shown[person.pk] = (person, disclose(person, story_date=earliest))
    households: dict[int, list] = {}
    for person, _disclosure in shown.values():
        if person.household_id:
            households.setdefault(person.household_id, []).append(person.pk)
    for members in households.values():
        if any(
            shown[pk][1].is_child and not shown[pk][1].shows_real_name for pk in members
        ):
            for pk in members:
                person, disclosure = shown[pk]
                shown[pk] = (person, protect_household(person, disclosure))
    names = ProtectedNames()
    for person, disclosure in shown.values():
        if disclosure.shows_real_name:
            continue
        public = disclosure.name
        if disclosure.is_child and public == initials(person.real_name):
            public = f"{person.real_name[:1]}某"  # a child's initials name him
        names.protect(person.real_name, public)
    return names


def spellings_of(name: str, public: str) -> list[str]:
    """How a reader might type a name into the search box."""
    forms = {name, name[1:] if len(name) > 2 else name}
    forms |= {converter.convert(name) for converter in converters()[:3]}
    forms.add(" ".join(name))
    syllables = lazy_pinyin(name)
    surname, given = syllables[0].capitalize(), "".join(syllables[1:]).capitalize()
    forms |= {f"{surname} {given}", f"{given} {surname}", "".join(syllables)}
    if initials(name) != public:
        forms.add(initials(name))
    return sorted(forms)


# -- reading the site ----------------------------------------------------------


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
        if tag in ("a", "link") and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "img" and attrs.get("src"):
            self.images.append(attrs["src"])
        elif tag == "meta" and (attrs.get("content") or "").startswith("http"):
            self.images.append(attrs["content"])
        elif tag == "enclosure" and attrs.get("url"):
            self.images.append(attrs["url"])
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
    if parts.netloc not in ("", *site_hosts()):
        return None
    path = parts.path or "/"
    if path.startswith(PRIVATE_PREFIXES) or path.startswith(media_prefix()):
        return None
    if path.startswith("/en/") and parts.query:
        # The English interface runs the same views over the same content as the
        # Chinese pages, whose every filter combination is crawled.
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def media_prefix() -> str:
    return "/" + settings.MEDIA_URL.strip("/") + "/"


def site_hosts() -> list[str]:
    return ["testserver", "example.com", audit_host()]


def audit_host() -> str:
    hosts = [h.lstrip(".") for h in settings.ALLOWED_HOSTS if h not in ("*", "")]
    return hosts[0] if hosts else "localhost"


def reader() -> Client:
    """An anonymous reader's browser, in-process, on the site's own address."""
    return Client(HTTP_HOST=audit_host(), secure=settings.SECURE_SSL_REDIRECT)


@dataclass
class Page:
    body: str
    links: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)


def crawl(
    client: Client | None = None, limit: int = 5000, start: Iterable[str] = START
) -> dict[str, Page]:
    """Every page reachable from the start pages: {url: Page}. Pages that do
    not answer 200 are kept with an empty body (a broken link is not a leak)."""
    client = client or reader()
    seen: dict[str, Page] = {}
    queue = list(start)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url, follow=True)
        if response.status_code != 200 or response.streaming:
            seen[url] = Page("")
            continue
        body = response.content.decode("utf-8-sig", errors="replace")
        parser = LinkParser()
        parser.feed(body)
        seen[url] = Page(body, parser.links, parser.images)
        for link in [*parser.links, *parser.form_urls]:
            target = same_site(link, url)
            if target and target not in seen:
                queue.append(target)
    return seen


# -- checking what was read ----------------------------------------------------


def spelled(text: str, names: ProtectedNames) -> list:
    """Every protected name in a text, in any spelling."""
    return names.redactor.find(text) + names.checker.find(text)


def described(spelling) -> str:
    return _("出现了%(name)s的名字“%(found)s”（%(kind)s）") % {
        "name": spelling.name,
        "found": spelling.found,
        "kind": spelling.kind,
    }


def check_pages(pages: dict[str, Page], names: ProtectedNames) -> list[Finding]:
    findings = []
    for url, page in pages.items():
        seen = set()
        for spelling in spelled(page.body, names):
            if (spelling.name, spelling.found) not in seen:
                seen.add((spelling.name, spelling.found))
                findings.append(Finding(url, described(spelling)))
    return findings


def without_query(body: str, query: str) -> str:
    """A results page without the words the reader typed, which it echoes."""
    for form in {query, escape(query), quote(query), quote_plus(query)}:
        body = body.replace(form, "")
    return body


def search_pages(client: Client, names: ProtectedNames) -> dict[str, tuple]:
    """{url: (name searched for, results page without the query)}."""
    pages = {}
    for name, public in names.full_names.items():
        for query in spellings_of(name, public):
            url = "/search/?" + urlencode({"q": query})
            response = client.get(url)
            if response.status_code == 200:
                pages[url] = (name, without_query(response.content.decode(), query))
    return pages


def check_search(pages: dict[str, tuple], names: ProtectedNames) -> list[Finding]:
    findings = []
    for url, (name, body) in pages.items():
        if 'class="search-result"' in body:
            findings.append(
                Finding(url, _("搜索%(name)s的名字能找到内容") % {"name": name})
            )
        for spelling in spelled(body, names):
            findings.append(Finding(url, described(spelling)))
    return findings


def check_media(pages: dict[str, Page], names: ProtectedNames) -> list[Finding]:
    """Media addresses in the pages, and the files the proxy serves: neither may
    spell a protected name."""
    findings = []
    prefix = media_prefix()
    addresses = {
        unquote(urlsplit(src).path)
        for page in pages.values()
        for src in page.images + page.links
        if urlsplit(src).path.startswith(prefix)
    }
    for address in sorted(addresses):
        for spelling in spelled(address, names):
            findings.append(Finding(address, described(spelling)))
    root = str(settings.MEDIA_ROOT)
    for folder, _dirs, files in os.walk(root):
        for file in files:
            path = os.path.relpath(os.path.join(folder, file), root)
            for spelling in spelled(path.replace(os.sep, "/"), names):
                findings.append(
                    Finding(prefix + path, _("公开的文件名里") + described(spelling))
                )
    return findings


def audit(
    limit: int = 5000, search: bool = True, start: Iterable[str] = START
) -> list[Finding]:
    """Every finding, in the order: pages, search, media, records."""
    names = names_to_audit()
    client = reader()
    pages = crawl(client, limit, start)
    searched = search_pages(client, names) if search else {}
    # Reading an /en/ page leaves English active: the findings are in the
    # site's own language.
    with translation.override(settings.LANGUAGE_CODE):
        findings = check_pages(pages, names) + check_search(searched, names)
        findings += check_media(pages, names)
        for check in _checks:
            findings += list(check())
    return findings
