"""Fixtures the offers tests share; test modules import them by name."""

import pytest

from tests.factories import agency_settings_missing


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    """A private in-memory cache per test.

    Wagtail caches site root paths in the default cache; on the CI's shared Redis
    another run's (or test's) sites would otherwise leak into this one.
    """
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "offers"}}
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def templates_work_before_agency_settings_land(settings):
    """base.html reads home.AgencySettings; until that model is on main, render without the settings processor."""
    if agency_settings_missing():
        processors = settings.TEMPLATES[0]["OPTIONS"]["context_processors"]
        settings.TEMPLATES = [
            {
                **settings.TEMPLATES[0],
                "OPTIONS": {
                    **settings.TEMPLATES[0]["OPTIONS"],
                    "context_processors": [p for p in processors if not p.startswith("wagtail.contrib.settings")],
                },
            }
        ]
