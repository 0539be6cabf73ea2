"""Fixtures for the Stripe-compatible test server (registered from tests/conftest.py).

`stripe_server` is a fresh server on a random loopback port per test.
`stripe_api` also points the site at it: real Stripe mode (not offline),
`STRIPE_API_BASE` at the server, a known webhook secret.
"""

import uuid

import pytest

from tests.fakes.stripe_server import FakeStripe

WEBHOOK_SECRET = "whsec_test_fake_stripe_server"


@pytest.fixture
def stripe_server():
    server = FakeStripe().start()
    yield server
    server.stop()


@pytest.fixture
def stripe_api(settings, stripe_server):
    settings.STRIPE_OFFLINE = False
    settings.STRIPE_API_BASE = stripe_server.base_url
    settings.STRIPE_SECRET_KEY = stripe_server.api_key
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return stripe_server


@pytest.fixture
def private_cache(settings):
    """A cache of this test's own: CI's Redis is shared by parallel runs, and a flush there would hit theirs."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"checkout-{uuid.uuid4()}"}
    }
