"""Local development: plain HTTP on localhost, console e-mail, offline payments."""

from .base import *  # noqa: F403
from .base import BASE_DIR, STRIPE_SECRET_KEY, env, env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = ["*"]

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
STRIPE_OFFLINE = env_bool("STRIPE_OFFLINE", not STRIPE_SECRET_KEY)

MEDIA_ROOT = BASE_DIR / "media"

WHITENOISE_AUTOREFRESH = True
