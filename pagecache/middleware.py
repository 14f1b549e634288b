from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import set_response_etag

from pagecache import store

UNCACHED_CONTROL = ("private", "no-store", "no-cache")


class PageCacheMiddleware:
    """Serves readers' pages from the cache, before sessions, languages or
    any view run.

    Only a reader's page is kept: a GET or HEAD from someone with no session
    (staff are logged in, so never see, nor leave behind, a page of their
    own), outside the admin and preview links, answered 200 with no cookie.
    Entries are keyed by the full address and language and belong to one
    generation of the content (pagecache.store)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self.cacheable(request):
            return self.get_response(request)
        key = store.page_key(request, self.language(request))
        generation, stored = store.fetch(key)
        if stored is not None:
            status, headers, content = stored
            response = HttpResponse(content, status=status, headers=headers)
            self.mark(response, "hit")
            return response
        response = self.get_response(request)
        usable = generation is not None and request.method == "GET"
        if usable and self.storable(request, response):
            set_response_etag(response)
            stored = (response.status_code, dict(response.items()), response.content)
            store.put(key, generation, stored, settings.PAGE_CACHE_SECONDS)
            self.mark(response, "miss")
        return response

    @staticmethod
    def mark(response, outcome: str) -> None:
        # Off in production: a hit on a search page would tell anyone what
        # another reader searched for.
        if settings.PAGE_CACHE_HEADER:
            response["X-Page-Cache"] = outcome

    @staticmethod
    def cacheable(request) -> bool:
        return (
            settings.PAGE_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
            and not request.path_info.startswith(settings.PAGE_CACHE_SKIP_PATHS)
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "messages" not in request.COOKIES
        )

    @staticmethod
    def language(request) -> str:
        return translation.get_language_from_path(
            request.path_info
        ) or translation.get_language_from_request(request)

    @staticmethod
    def storable(request, response) -> bool:
        control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            # A page with an inline script or style allowed by this
            # response's CSP nonce would be blocked when replayed under the
            # next response's nonce (and a nonce must never repeat).
            # (django-csp: a nonce that was used makes csp_nonce true.)
            and not getattr(request, "csp_nonce", None)
            and not response.streaming
            and not response.cookies
            and not any(word in control for word in UNCACHED_CONTROL)
        )
