from django.conf import settings
from django.core.exceptions import BadRequest
from django.template.defaultfilters import filesizeformat


class CrossOriginResourcePolicyMiddleware:
    """Sends Cross-Origin-Resource-Policy, which Django's SecurityMiddleware
    does not: another site's page cannot load our photos, styles or pages
    into its own (a cross-site leak of what a reader can see)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.CROSS_ORIGIN_RESOURCE_POLICY:
            response.headers.setdefault(
                "Cross-Origin-Resource-Policy", settings.CROSS_ORIGIN_RESOURCE_POLICY
            )
        return response


class RejectNullCharactersMiddleware:
    """Answers 400 to an address with a NUL character in its path or query:
    no page has one, and PostgreSQL refuses it in any text it is compared
    with, which would otherwise surface as a 500 deep in a view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise BadRequest("NUL character in the address")
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
            from portal.views import error_page

            return error_page(
                request,
                "413.html",
                413,
                {"limit": filesizeformat(settings.MAX_REQUEST_BYTES)},
            )
        return self.get_response(request)
