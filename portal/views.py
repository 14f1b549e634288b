import sys

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.utils.translation import get_language_from_path, override
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import requires_csrf_token
from django_ratelimit.core import is_ratelimited

from programs.models import Figure, Program
from stories.models import Story


@cache_control(public=True, max_age=24 * 3600)
def favicon(request):
    """Browsers ask for /favicon.ico where a page names no icon (the error
    pages, a feed opened on its own): the site's icon, under its hashed name."""
    return redirect(static("img/icon.svg"))


def home(request):
    stories = Story.objects.published().for_listing()
    return render(
        request,
        "home.html",
        {
            "featured_stories": stories.filter(is_featured=True)[:3],
            "latest_stories": stories.filter(is_featured=False)[:6],
            "headline_figures": Figure.objects.filter(
                is_headline=True, program__in=Program.objects.published()
            ).select_related("program", "program__region")[:6],
            "featured_programs": Program.objects.published()
            .filter(is_featured=True)
            .select_related("region__parent")[:4],
        },
    )


def admin_login(request, extra_context=None):
    """The admin's login form behind a throttle on the address (the same
    one axes counts, read through the proxy): too many tries from there in
    the window get a page saying when to try again, and are not checked."""
    if is_ratelimited(
        request,
        group="admin-login",
        key=lambda group, request: get_client_ip_address(request),
        rate=f"{settings.LOGIN_THROTTLE_TRIES}/{settings.LOGIN_THROTTLE_SECONDS}s",
        method="POST",
        increment=True,
    ):
        response = render(
            request,
            "admin/login_throttled.html",
            {
                **admin.site.each_context(request),
                "title": _("登录太频繁"),
                "tries": settings.LOGIN_THROTTLE_TRIES,
                "seconds": settings.LOGIN_THROTTLE_SECONDS,
            },
            status=429,
        )
        response["Retry-After"] = str(settings.LOGIN_THROTTLE_SECONDS)
        return response
    return admin.site.login(request, extra_context)


class LabelledAutocompleteJsonView(AutocompleteJsonView):
    """The admin's autocomplete, each result named as the model admin names
    it to this user (its `autocomplete_label`): an author sees people outside
    her stories by their protected names."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        label = getattr(self.model_admin, "autocomplete_label", None)
        if label is not None:
            result["text"] = label(obj)
        return result


admin_autocomplete = admin.site.admin_view(
    LabelledAutocompleteJsonView.as_view(admin_site=admin.site)
)


def login_locked_out(request, response=None, credentials=None):
    """The page django-axes shows for a locked-out login: what happened, for
    how long, and whom to ask (429 Too Many Requests)."""
    return render(
        request,
        "axes/lockout.html",
        {
            **admin.site.each_context(request),
            "title": _("登录已暂时锁定"),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
        status=429,
    )


def error_page(
    request, template: str, status: int, context: dict | None = None
) -> HttpResponse:
    """An error page with only the response's CSP nonce for its inline
    style: no context processor, since the database or the session may be
    what failed."""
    nonce = getattr(request, "csp_nonce", "")
    # A request refused before LocaleMiddleware (too many parameters, too
    # large a body) would get whatever language this thread served last:
    # choose it as LocaleMiddleware does, by the address's prefix.
    language = get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    with override(language):
        html = loader.get_template(template).render(
            {**(context or {}), "csp_nonce": str(nonce)}
        )
    return HttpResponse(html, status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    return error_page(request, "400.html", 400)


@requires_csrf_token
def permission_denied(request, exception=None):
    return error_page(request, "403.html", 403)


@requires_csrf_token
def server_error(request):
    """500, or 503 when the database cannot be reached (restarting, failing
    over): a reader is told to try again shortly, and the next request
    reconnects by itself (CONN_HEALTH_CHECKS)."""
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        response = error_page(request, "503.html", 503)
        response["Retry-After"] = "10"
        return response
    return error_page(request, "500.html", 500)


def csrf_failure(request, reason=""):
    return error_page(request, "403_csrf.html", 403)
