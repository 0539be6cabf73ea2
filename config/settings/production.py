"""Production: everything sensitive must come from the environment.

Start-up stops with ImproperlyConfigured naming the missing variable rather
than serving with a guessed value. The security settings themselves (HTTPS
redirect, HSTS, secure cookies, CSP) are already on in base.py.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import GUNICORN_TIMEOUT, REDIS_URL, SECURE_HSTS_PRELOAD, STRIPE_BUDGET_SECONDS, env, env_bool, env_list


def required(name):
    value = env(name)
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable for production.")
    return value


def required_list(name):
    values = env_list(name)
    if not values:
        raise ImproperlyConfigured(f"Set the {name} environment variable for production (comma-separated).")
    return values


DEBUG = False
SECRET_KEY = required("SECRET_KEY")
ALLOWED_HOSTS = required_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = required_list("CSRF_TRUSTED_ORIGINS")
SITE_BASE_URL = required("SITE_BASE_URL").rstrip("/")
if not SITE_BASE_URL.startswith("https://"):
    raise ImproperlyConfigured(f"SITE_BASE_URL must be an https:// origin in production, not {SITE_BASE_URL!r}.")
# base.py derived it from its own default before SITE_BASE_URL was known.
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", SITE_BASE_URL)

if env_bool("STRIPE_OFFLINE", False):
    raise ImproperlyConfigured("STRIPE_OFFLINE must not be on in production: it takes no real payment.")
STRIPE_OFFLINE = False
if STRIPE_BUDGET_SECONDS > GUNICORN_TIMEOUT - 5:
    raise ImproperlyConfigured(
        "STRIPE_BUDGET_SECONDS must end at least 5 s before GUNICORN_TIMEOUT, so a slow Stripe is answered "
        "with the site's own page rather than a killed worker."
    )

if not REDIS_URL:
    # Every gunicorn worker and app server must see the same cache (page
    # cache invalidation, login throttling): the database is the one store
    # they all share. Create its table with `manage.py createcachetable`.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
            "TIMEOUT": 300,
        }
    }

if not SECURE_HSTS_PRELOAD:
    # Submitting the domain to the browsers' preload list is the owner's
    # decision (hard to undo); HSTS itself is on for a year with subdomains.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
