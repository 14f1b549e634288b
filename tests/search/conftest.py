import re

import pytest
from django.test import Client

from search.terms import dictionary

RESULT_LINK = re.compile(r'<li class="search-result">\s*<h3[^>]*><a href="([^"]+)"')


def result_urls(html: str) -> list[str]:
    """The results' links in page order (each result's first link)."""
    return RESULT_LINK.findall(html)


@pytest.fixture(autouse=True)
def _dictionary_as_in_the_database():
    # The dictionary lives as long as the process; each test's names are its own.
    dictionary.invalidate()


@pytest.fixture
def found(db):
    """found("浑源县", region=…) → the result URLs an anonymous reader gets."""

    def search(q: str, **params) -> list[str]:
        response = Client().get("/search/", {"q": q, **params})
        assert response.status_code == 200
        return result_urls(response.content.decode())

    return search
