from django.conf import settings


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
