"""Production: everything sensitive must come from the environment."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env, env_bool, env_list


def required(name):
    value = env(name)
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable for production.")
    return value


SECRET_KEY = required("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or [required("ALLOWED_HOSTS")]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS") or [required("CSRF_TRUSTED_ORIGINS")]
SITE_BASE_URL = required("SITE_BASE_URL").rstrip("/")

if env_bool("STRIPE_OFFLINE", False):
    raise ImproperlyConfigured("STRIPE_OFFLINE must not be on in production: it takes no real payment.")
STRIPE_OFFLINE = False
