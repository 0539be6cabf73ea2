"""Test-wide fixtures and the rule for service-bound tests.

A test marked `postgres`, `redis`, `s3` or `browser` needs that real service.
Each CI pass selects its markers explicitly; with CI=true a selected test
whose service is missing fails instead of skipping, so CI can never go green
by not running the tests that matter.
"""

import os

import pytest
from django.db import connection

IN_CI = os.environ.get("CI", "").lower() == "true"


def missing_service(reason):
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: a missing service fails the run)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _require_marked_services(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        missing_service("needs PostgreSQL: set DATABASE_URL=postgres://...")
    if request.node.get_closest_marker("redis") and not os.environ.get("REDIS_URL"):
        missing_service("needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0")


pytest_plugins = ["tests.conftest_stripe"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache, so a page cached by one test never leaks into another."""
    from django.core.cache import cache

    cache.clear()
