"""The portal with one page more: base.html with nothing in it.

load_bench.py serves it beside the uncached pages, at the address it gives in
BENCH_SHELL_PATH. It is the floor of every page the portal renders (the
middleware, the context processors and the shared template, and no query of
the page's own), as the static file is the floor of every answer: what a
page's own queries and template may cost is the distance between the two.
"""

import os

from django.template import engines
from django.template.response import TemplateResponse
from django.urls import LocalePrefixPattern, clear_url_caches, path

from portal.wsgi import application

SHELL = engines["django"].from_string('{% extends "base.html" %}')


def shell(request):
    return TemplateResponse(request, SHELL, {})


def add_shell_page() -> None:
    # Imported here, once portal.wsgi has set Django up: the URLconf reads
    # settings as it loads.
    from portal import urls

    # Among the reader pages, so that base.html offers its languages as it
    # does on them.
    readers = next(
        url for url in urls.urlpatterns if isinstance(url.pattern, LocalePrefixPattern)
    )
    address = os.environ["BENCH_SHELL_PATH"].lstrip("/")
    readers.url_patterns.insert(0, path(address, shell))
    clear_url_caches()


add_shell_page()

__all__ = ["application"]
