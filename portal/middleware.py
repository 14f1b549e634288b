from django.conf import settings
from django.core.exceptions import BadRequest


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
