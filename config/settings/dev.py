"""Local development: plain HTTP on localhost, console e-mail, offline payments."""

from config.request_logging import logging_config

from .base import *  # noqa: F403
from .base import BASE_DIR, STRIPE_SECRET_KEY, env, env_bool, mailer_from_env

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = ["*"]

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
