from django.conf import settings
from django.contrib.redirects.middleware import RedirectFallbackMiddleware
from django.contrib.redirects.models import Redirect
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import BadRequest, MiddlewareNotUsed
from django.http import QueryDict
from django.template.defaultfilters import filesizeformat

from portal.views import error_page


class CrossOriginResourcePolicyMiddleware:
    """Sends Cross-Origin-Resource-Policy, which Django's SecurityMiddleware
    does not: another site's page cannot load our photos, styles or pages
    into its own (a cross-site leak of what a reader can see)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CROSS_ORIGIN_RESOURCE_POLICY
        if not self.policy:
            raise MiddlewareNotUsed

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Cross-Origin-Resource-Policy", self.policy)
        return response


class NullCharactersMiddleware:
    """No address or cookie of ours has a NUL character, and PostgreSQL
    refuses one in any text it compares, which would otherwise surface as a
    500 deep in a view (a session key, a slug). In the path it gets 400; in
    the query string it is dropped, as other malformed parameters are
    ignored, so the page still answers; a cookie holding one is dropped."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            raise BadRequest("NUL character in the path")
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query:
            request.GET = QueryDict(query.replace("%00", ""), encoding=request.encoding)
        if any("\x00" in name + value for name, value in request.COOKIES.items()):
            request.COOKIES = {
                name: value
                for name, value in request.COOKIES.items()
                if "\x00" not in name + value
            }
        return self.get_response(request)


class RequestSizeLimitMiddleware:
    """Refuses a request body larger than MAX_REQUEST_BYTES from its
    Content-Length, before any of it is read (413, with a page saying how
    large a file may be)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise BadRequest("Content-Length is not a number") from None
        if length > settings.MAX_REQUEST_BYTES:
            return error_page(
                request,
                "413.html",
                413,
                {"limit": filesizeformat(settings.MAX_REQUEST_BYTES)},
            )
        return self.get_response(request)


class AddressRedirectMiddleware(RedirectFallbackMiddleware):
    """Django's redirects for addresses that find nothing (an item's old slug,
    editorial.addresses), also when the address has a query string: WeChat
    adds ?from=… to every link it shares. The query goes along."""

    def process_response(self, request, response):
        response = super().process_response(request, response)
        query = request.META.get("QUERY_STRING", "")
        if response.status_code != 404 or not query:
            return response
        redirect = Redirect.objects.filter(
            site=get_current_site(request), old_path=request.path
        ).first()
        if redirect is None:
            return response
        if not redirect.new_path:
            return self.response_gone_class()
        return self.response_redirect_class(f"{redirect.new_path}?{query}")
