"""Settings for the portal, read from the environment.

One module for every environment: development, tests, CI and production differ
only in their environment variables (see `.env.example`).
"""

import os
from datetime import timedelta
from pathlib import Path

import csp.constants as csp
import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


DEBUG = env_bool("DJANGO_DEBUG")

# A development key is only acceptable while DEBUG is on: a production server
# signing sessions with a key published in this repository would let anyone
# forge an editor's login.
_DEV_SECRET_KEY = "django-insecure-development-only-never-use-in-production"  # nosec B105
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is too short or is the development key; "
        "use at least 32 random characters."
    )

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else ""
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    # A changed slug's old addresses answer 301 (editorial.addresses).
    "django.contrib.sites",
    "django.contrib.redirects",
    "reversion",
    "editorial",
    "privacy",
    "programs",
    "stories",
    "search",
    "imports",
    "pagecache",
    "backups",
    # After the portal's apps, so that programs' `import` command (the portal's
    # file formats, messages in Chinese, non-zero exit) replaces its own.
    "import_export",
    "csp",
    "portal.apps.LoginProtectionConfig",  # django-axes
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise and the page cache, so that static files and cached
    # pages carry every security header too.
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "portal.middleware.CrossOriginResourcePolicyMiddleware",
    "portal.middleware.NullCharactersMiddleware",
    "portal.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # An ETag from each page's bytes: a reader's browser asking again for a
    # page that has not changed gets 304 Not Modified and no body.
    "django.middleware.http.ConditionalGetMiddleware",
    # Readers' pages from the cache, before sessions and views (pagecache).
    "pagecache.middleware.PageCacheMiddleware",
    # Inside the page cache, which keeps only 200s: an old address is
    # redirected afresh each time, and nothing kept stands in for it.
    "portal.middleware.AddressRedirectMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "privacy.middleware.NameMemoMiddleware",
    # Last: refuses a locked-out login with its own page (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
# django.contrib.redirects keeps its redirects per site; the portal is one.
# Links are built from the request's host, not from the site's domain.
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.languages",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Persistent connections more than double page throughput on PostgreSQL;
        # the health check drops a connection the server has closed.
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Parameters stay bound on the client, Django's default. psycopg's server-side
# binding would let PostgreSQL keep each query's plan (planning is a quarter of
# an uncached story page's time), but it refuses a query with more than 65,535
# parameters, which a filter over 100,000 stories and the search index's bulk
# writes reach.


def cache_from_url(url: str) -> dict:
    """CACHE_URL: unset or locmem:// keeps the cache in each process's memory
    (one server); redis://host:port/db (or rediss://) shares it between app
    servers; dummy:// keeps nothing."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
        }
    if url.startswith("dummy://"):
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if url == "" or url.startswith("locmem://"):
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    raise ImproperlyConfigured(
        f"CACHE_URL {url!r} is not understood: use locmem://, redis://… or dummy://."
    )


CACHES = {"default": cache_from_url(os.environ.get("CACHE_URL", ""))}
# Keeps apart sites (or test runs) that share one Redis database.
CACHES["default"]["KEY_PREFIX"] = os.environ.get("CACHE_KEY_PREFIX", "")
# How long a reader's page may be served from the cache, at most (seconds; 0
# turns the page cache off). Any change to content ends it sooner.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", 600))
MEMO_SECONDS = int(os.environ.get("MEMO_SECONDS", 600))
# X-Page-Cache: hit/miss on readers' pages, for tests and benchmarks.
PAGE_CACHE_HEADER = env_bool("PAGE_CACHE_HEADER", DEBUG)
# Never cached: the admin and preview links are for staff, media has its own.
PAGE_CACHE_SKIP_PATHS = ("/admin/", "/preview/", "/media/")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATORS}.MinimumLengthValidator"},
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
# Readers can switch the interface to English under /en/; content stays in the
# language it was written in. Chinese pages keep their unprefixed addresses.
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# `make backup` writes here (a folder per backup); keep it on another disk.
BACKUP_ROOT = Path(os.environ.get("DJANGO_BACKUP_ROOT", BASE_DIR / "var" / "backups"))
# Consent scans and other files no one may download without a permission check.
PRIVATE_MEDIA_ROOT = Path(
    os.environ.get("DJANGO_PRIVATE_MEDIA_ROOT", BASE_DIR / "private")
)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed, content-hashed names: browsers may cache them forever.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

LOGIN_URL = "admin:login"
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"

# Production is served over HTTPS only (DJANGO_HTTPS=0 to try `make serve`
# over plain HTTP on one's own machine): plain-HTTP requests are redirected,
# browsers are told never to use HTTP again, and no cookie travels unencrypted
# or is readable from a script.
HTTPS = not DEBUG and env_bool("DJANGO_HTTPS", True)
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = HTTPS * int(os.environ.get("DJANGO_HSTS_SECONDS", 31_536_000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = LANGUAGE_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Other sites may not embed our pages' resources (photos, styles) in theirs;
# a CDN on a subdomain of the same site still may (portal.middleware).
CROSS_ORIGIN_RESOURCE_POLICY = os.environ.get(
    "DJANGO_CROSS_ORIGIN_RESOURCE_POLICY", "same-site"
)
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): pages load scripts, styles, images
# and fonts from this site only; nothing inline runs unless it carries the
# response's nonce (admin pages' own styles). Readers' pages have no inline
# script or style at all, so a cached page never carries a stale nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF, csp.NONCE],
        # data: for the admin's SVG icons inlined in its style sheets.
        "img-src": [csp.SELF, "data:", *env_list("DJANGO_CSP_IMG_SRC")],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.NONE],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}
# Browser features no page uses, switched off for the page and any frame.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "browsing-topics",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

# Failed admin logins (django-axes): after AXES_FAILURE_LIMIT failures for
# one user name from one address, that pair is locked out for the cool-off
# time. Locking the pair, not the address or the name alone, means a
# newsroom behind one address is not locked out by a colleague's typos, and
# a stranger cannot lock an editor out by guessing at her name elsewhere.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", 30)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.views.login_locked_out"
# Behind the reverse proxy, the client is the address the proxy appended
# last to X-Forwarded-For (nginx: $proxy_add_x_forwarded_for); anything to
# its left was sent by the client and could be forged. Without a proxy, the
# header is ignored.
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if BEHIND_PROXY else ("REMOTE_ADDR",)
)
AXES_IPWARE_PROXY_COUNT = 0 if BEHIND_PROXY else None
AXES_IPWARE_PROXY_ORDER = "left-most"
# Not strict: a header with the client's own entries before the proxy's is
# still read (its last entry), instead of falling back to the proxy's address.
IPWARE_STRICT = False
# Before any lockout, login tries from one address are throttled, whatever
# the user names (django-ratelimit): axes stops guessing at one account,
# this stops spraying one password over many from the same place. The count
# lives in the cache, so it is shared by every app server only with Redis
# (CACHE_URL); with the memory cache each worker counts for itself.
LOGIN_THROTTLE_TRIES = int(os.environ.get("LOGIN_THROTTLE_TRIES", 10))
LOGIN_THROTTLE_SECONDS = int(os.environ.get("LOGIN_THROTTLE_SECONDS", 60))
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING"),
    },
}

# How many stories a list page shows.
STORIES_PER_PAGE = 12

# How long a shared preview link works, in seconds (three days).
PREVIEW_LINK_MAX_AGE = int(os.environ.get("PREVIEW_LINK_MAX_AGE", 3 * 24 * 3600))

# Spreadsheet import and export (django-import-export). Only the group 导入
# holds the import_* permissions; exporting needs the view permission.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES = True
# Uploads wait for their confirmation in the database, which every app server
# (and the import worker) sees; no shared folder is needed (imports.storage).
IMPORT_EXPORT_TMP_STORAGE_CLASS = "imports.storage.DatabaseStorage"
# Checked from the upload's reported size, before the file is read.
IMPORT_MAX_UPLOAD_BYTES = int(
    os.environ.get("IMPORT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
)

# Uploads. A request whose body is larger than MAX_REQUEST_BYTES is refused
# from its Content-Length before any of it is read (portal.middleware); the
# reverse proxy in front should refuse it first (nginx: client_max_body_size
# 64m). Each file is then held to its own limit: a form may carry several
# photos. Files over 2.5 MB go to a temporary file, never into memory.
MAX_REQUEST_BYTES = int(os.environ.get("MAX_REQUEST_BYTES", 64 * 1024 * 1024))
PHOTO_MAX_UPLOAD_BYTES = int(os.environ.get("PHOTO_MAX_UPLOAD_BYTES", 15 * 1024 * 1024))
CONSENT_DOCUMENT_MAX_UPLOAD_BYTES = int(
    os.environ.get("CONSENT_DOCUMENT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
)
# Pixels a photo may have (its header says how many before any is decoded):
# 40 million is more than any camera the newsrooms use.
PHOTO_MAX_PIXELS = int(os.environ.get("PHOTO_MAX_PIXELS", 40_000_000))
