"""Fast, deterministic settings for pytest."""

from config.request_logging import logging_config

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, STRIPE_SECRET_KEY, env, env_bool

SECRET_KEY = "test-only-secret-key-not-for-production-use-0123456789"  # noqa: S105
ALLOWED_HOSTS = ["*"]
DEBUG = False

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
STRIPE_OFFLINE = env_bool("STRIPE_OFFLINE", not STRIPE_SECRET_KEY)
STRIPE_TIMEOUT = float(env("STRIPE_TIMEOUT", "2"))
STRIPE_BUDGET_SECONDS = float(env("STRIPE_BUDGET_SECONDS", "5"))
SITE_BASE_URL = "http://testserver"

# Plain storage: tests need no collectstatic (a CI step checks the real one).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / ".test-media"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not Django's shared-cache memory database, so that threads in
    # transaction tests wait for the write lock instead of failing at once.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}

WHITENOISE_AUTOREFRESH = True

# django-axes needs the request in authenticate(), which the test client's
# login() does not pass; tests/infra/test_security.py turns it on to test lockouts.
AXES_ENABLED = False

LOGGING = logging_config(env("LOG_FORMAT", "plain"), env("LOG_LEVEL", "INFO"))

# The page cache is off unless a test turns it on (tests/infra/test_page_cache.py):
# other tests change rows with update() or monkeypatch time, which no
# invalidation signal sees, and they measure fresh renders.
PAGE_CACHE_SECONDS = 0
