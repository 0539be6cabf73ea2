"""Settings shared by every environment.

Safe for production as written: DEBUG is off, HTTPS is expected, and every
secret comes from the environment. dev.py, test.py and production.py override
only what differs.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from config.request_logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name, default=None):
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_BASE_URL = env("SITE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", SITE_BASE_URL)
WAGTAIL_SITE_NAME = env("WAGTAIL_SITE_NAME", "Brightside Web Studio")

INSTALLED_APPS = [
    # Infrastructure the apps below register with from their AppConfig.ready().
    "config.page_cache",
    "home",
    "learn",
    "offers",
    "enquiries",
    "search",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.typed_table_block",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.search_promotions",
    # Not "wagtail.contrib.frontend_cache": its app purges a published page inside the editor's
    # request, before the commit; config.page_cache.invalidation purges from a task after it
    # (its backends and PurgeBatch work without the app installed).
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks_db",
    "axes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # Wagtail search keeps tsvector columns and GIN indexes on PostgreSQL.
    "django.contrib.postgres",
]

MIDDLEWARE = [
    # First, so every record logged while handling a request carries its id.
    "config.request_logging.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Right after static files: a cached page is answered before sessions or the database.
    "config.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "config.middleware.PreviewContentSecurityPolicyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into a 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]


def database_from_url(url):
    """One DATABASES entry from DATABASE_URL, with SQLite tuned for concurrent writers."""
    config = dj_database_url.parse(url, conn_max_age=int(env("CONN_MAX_AGE", "60")))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE transactions plus WAL make a second writer wait for the lock
        # instead of failing with "database is locked" under gunicorn or threads.
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    else:
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {
    "default": database_from_url(env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, but an unreachable Redis is logged and treated as a miss.
            "BACKEND": "config.resilient_cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "agency"),
            "TIMEOUT": 300,
            # A Redis that hangs must not hang the page: give up quickly and render from the database.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": float(env("REDIS_TIMEOUT", "0.5"))},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "agency",
        }
    }

# Full-page cache for anonymous visitors (config.page_cache): the longest an entry
# lives; banner schedules and content changes end it sooner. 0 turns it off.
PAGE_CACHE_SECONDS = int(env("PAGE_CACHE_SECONDS", "600"))

# django-axes watches every login (Wagtail's admin login included) and refuses
# a username from an address after AXES_FAILURE_LIMIT failures, for an hour.
# Locking the pair, not the username alone, keeps a stranger from locking staff out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Behind N proxies the client's address is the N-th from the right of
# X-Forwarded-For; with none, REMOTE_ADDR is the client. config.client_address
# reads it for every limit, the login throttling and the logs alike.
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "config.client_address.client_address"
# A styled 429 page (templates/lockout.html) that says when the lock lifts, with Retry-After.
AXES_LOCKOUT_CALLABLE = "config.lockout.lockout_response"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env("LANGUAGE_CODE", "en")
# The agency works in Berlin: working days, slots and deadlines are counted there.
TIME_ZONE = env("TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
WHITENOISE_MAX_AGE = 31536000

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL")
    AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", "eu-central-1")
    AWS_S3_ADDRESSING_STYLE = env("AWS_S3_ADDRESSING_STYLE", "path")
    AWS_S3_CUSTOM_DOMAIN = env("AWS_S3_CUSTOM_DOMAIN")
    AWS_QUERYSTRING_AUTH = env_bool("AWS_QUERYSTRING_AUTH", False)
    AWS_DEFAULT_ACL = None
    AWS_S3_FILE_OVERWRITE = False

# Security: HTTPS everywhere; dev.py relaxes these for plain-HTTP localhost.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# The app runs behind a TLS-terminating proxy that sets X-Forwarded-Proto (and
# must overwrite any value the client sent).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Load balancers probe over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Public pages carry no inline script or style, so the policy needs no nonce
# and page-cached responses stay valid. Media served from S3 or a CDN domain is
# allowed as an image source (MEDIA_ORIGIN, set below when S3 is configured).
MEDIA_ORIGIN = None
if AWS_STORAGE_BUCKET_NAME:
    if AWS_S3_CUSTOM_DOMAIN:
        MEDIA_ORIGIN = f"https://{AWS_S3_CUSTOM_DOMAIN}"
    elif AWS_S3_ENDPOINT_URL:
        MEDIA_ORIGIN = AWS_S3_ENDPOINT_URL.rstrip("/")
    else:
        MEDIA_ORIGIN = f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{AWS_S3_REGION_NAME}.amazonaws.com"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *([MEDIA_ORIGIN] if MEDIA_ORIGIN else [])],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF, "https://checkout.stripe.com"],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
# Wagtail's admin only: inline init scripts and the framed preview (see
# config.middleware.PreviewContentSecurityPolicyMiddleware and config/urls.py for why and how).
SECURE_CSP_ADMIN = {
    **SECURE_CSP,
    "script-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [*SECURE_CSP["img-src"], "blob:"],
    "frame-ancestors": [CSP.SELF],
}

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def mailer_from_env(default_backend=SMTP_BACKEND):
    """MAILERS["default"] (Django 6.1 replaces the EMAIL_* settings) from the same EMAIL_* variables as before."""
    backend = env("EMAIL_BACKEND", default_backend)
    if backend != SMTP_BACKEND:
        return {"BACKEND": backend}
    return {
        "BACKEND": backend,
        "OPTIONS": {
            "host": env("EMAIL_HOST", "localhost"),
            "port": int(env("EMAIL_PORT", "587")),
            "username": env("EMAIL_HOST_USER", ""),
            "password": env("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", True),
            "timeout": float(env("EMAIL_TIMEOUT", "10")),
        },
    }


MAILERS = {"default": mailer_from_env()}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "hello@brightside.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
STAFF_NOTIFICATION_EMAIL = env("STAFF_NOTIFICATION_EMAIL", DEFAULT_FROM_EMAIL)

TASK_BACKENDS = {
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.backend.DatabaseBackend",
}
TASKS = {"default": {"BACKEND": TASK_BACKENDS[env("TASKS_BACKEND", "database")]}}

# Stripe. Offline mode replaces Stripe with a local stand-in (dev and tests only).
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = env("STRIPE_API_BASE", "")
STRIPE_OFFLINE = env_bool("STRIPE_OFFLINE", False)
# The stand-in that answers for Stripe when STRIPE_OFFLINE is on (dev and tests; production refuses it).
STRIPE_OFFLINE_BACKEND = "offers.payments.offline.OfflineBackend"
# The longest one Stripe request may wait; every call also stops at the request's budget below.
STRIPE_TIMEOUT = float(env("STRIPE_TIMEOUT", "10"))
# All Stripe calls of one request (retries included) end within this many seconds, so a hanging
# Stripe is answered with the site's own "no payment was taken" page long before gunicorn's worker
# timeout (GUNICORN_TIMEOUT, gunicorn.conf.py) or the proxy's gives up on the request.
STRIPE_BUDGET_SECONDS = float(env("STRIPE_BUDGET_SECONDS", "20"))
GUNICORN_TIMEOUT = int(env("GUNICORN_TIMEOUT", "30"))
STRIPE_TAX_RATE_ID = env("STRIPE_TAX_RATE_ID", "")

# Staff are alerted (at most hourly per package) when this many seats are held by unpaid checkouts at once.
UNPAID_HOLDS_ALERT = int(env("UNPAID_HOLDS_ALERT", "6"))

# Orders (issue 5) and privacy (issue 6).
# Staff are warned this long before an undelivered order misses its delivery deadline;
# the orders listing highlights the same window.
DELIVERY_DEADLINE_WARNING_MINUTES = int(env("DELIVERY_DEADLINE_WARNING_MINUTES", "120"))
# After an erasure, what invoices legally require is kept this many years, then purged.
PERSONAL_DATA_RETENTION_YEARS = int(env("PERSONAL_DATA_RETENTION_YEARS", "10"))

# Contact and quote forms (enquiries/): a form sent sooner than this after it was shown is a bot's;
# a visitor (client address) may send this many enquiries an hour; enquiries are deleted after this many days.
ENQUIRY_MIN_SECONDS = float(env("ENQUIRY_MIN_SECONDS", "3"))
ENQUIRY_LIMIT_PER_HOUR = int(env("ENQUIRY_LIMIT_PER_HOUR", "5"))
ENQUIRY_RETENTION_DAYS = int(env("ENQUIRY_RETENTION_DAYS", "365"))

WAGTAILSEARCH_BACKENDS = {
    # A named text search configuration (PostgreSQL; SQLite ignores it) makes to_tsquery() immutable,
    # so PostgreSQL works a query out once per search, not once per index entry it reads.
    "default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "english"},
}
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"gif": "webp", "bmp": "webp", "tiff": "webp"}
WAGTAILDOCS_EXTENSIONS = ["pdf", "txt"]
# A caching proxy or CDN in front: every content change purges the pages it shows on
# (config.page_cache.invalidation), so it may keep pages as long as s-maxage says.
WAGTAILFRONTENDCACHE = {}
if env("FRONTEND_CACHE_PURGE_URL"):
    WAGTAILFRONTENDCACHE["proxy"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": env("FRONTEND_CACHE_PURGE_URL"),
    }
if env("CLOUDFLARE_ZONE_ID"):
    WAGTAILFRONTENDCACHE["cloudflare"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
        "ZONEID": env("CLOUDFLARE_ZONE_ID"),
        "BEARER_TOKEN": env("CLOUDFLARE_BEARER_TOKEN"),
    }

# JSON lines with the request id in production (config/request_logging.py); dev and tests print plain text.
LOGGING = logging_config(env("LOG_FORMAT", "json"), env("LOG_LEVEL", "INFO"))
