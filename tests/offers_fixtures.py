"""Fixtures the offers tests share; test modules import them by name."""

import pytest


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    """A private in-memory cache per test.

    Wagtail caches site root paths in the default cache; on the CI's shared Redis
    another run's (or test's) sites would otherwise leak into this one.
    """
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "offers"}}
    from django.core.cache import cache

    cache.clear()
