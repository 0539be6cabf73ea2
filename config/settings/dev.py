"""Local development: plain HTTP on localhost, console e-mail, offline payments."""

from config.request_logging import logging_config

from .base import *  # noqa: F403
from .base import BASE_DIR, STRIPE_SECRET_KEY, env, env_bool, mailer_from_env

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = ["*"]

# `make run HOST=... PORT=...` serves there, so links, redirects after the buy form and
# the Wagtail Site (load_demo_content) point there too unless SITE_BASE_URL says otherwise.
# A wildcard bind address is not one a browser can be sent to: loopback stands in for it.
_RUN_HOST = env("HOST", "127.0.0.1")
_RUN_HOST = "127.0.0.1" if _RUN_HOST in {"0.0.0.0", "::", "[::]"} else _RUN_HOST  # noqa: S104
_RUN_HOST = f"[{_RUN_HOST}]" if ":" in _RUN_HOST and not _RUN_HOST.startswith("[") else _RUN_HOST
SITE_BASE_URL = env("SITE_BASE_URL", f"http://{_RUN_HOST}:{env('PORT', '8000')}").rstrip("/")
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", SITE_BASE_URL)

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

MAILERS = {"default": mailer_from_env("django.core.mail.backends.console.EmailBackend")}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
STRIPE_OFFLINE = env_bool("STRIPE_OFFLINE", not STRIPE_SECRET_KEY)

MEDIA_ROOT = BASE_DIR / "media"

WHITENOISE_AUTOREFRESH = True

LOGGING = logging_config(env("LOG_FORMAT", "plain"), env("LOG_LEVEL", "INFO"))
