from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from portal import views
from portal.sitemaps import sitemap_xml
from privacy.views import photo_original

admin.site.site_header = _("扶贫故事与项目 · 编辑后台")
admin.site.site_title = _("编辑后台")
admin.site.index_title = _("内容管理")

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler500 = "portal.views.server_error"

urlpatterns = [
    path("sitemap.xml", sitemap_xml, name="sitemap"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
    path("favicon.ico", views.favicon),
    path("preview/", include("editorial.urls")),
    # Before admin.site.urls, so the throttle sits in front of admin:login.
    path("admin/login/", views.admin_login),
    # Photo originals, for staff allowed to view the photo (privacy/views.py).
    path(
        "admin/photo-files/<path:name>",
        admin.site.admin_view(photo_original),
        name="photo_original",
    ),
    # Before admin.site.urls too: results named as the user may see them.
    path("admin/autocomplete/", views.admin_autocomplete),
    path("admin/", admin.site.urls),
]

# Reader pages: Chinese at /stories/…, the English interface at /en/stories/….
urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("stories/", include("stories.urls")),
    path("search/", include("search.urls")),
    path("", include("programs.urls")),
    prefix_default_language=False,
)

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
