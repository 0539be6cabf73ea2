"""Test-wide fixtures and the rule for service-bound tests.

A test marked `postgres`, `redis`, `s3` or `browser` needs that real service.
Each CI pass selects its markers explicitly; with CI=true a selected test
whose service is missing fails instead of skipping, so CI can never go green
by not running the tests that matter.
"""

import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

IN_CI = os.environ.get("CI", "").lower() == "true"


def missing_service(reason):
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: a missing service fails the run)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _require_marked_services(request):
    if "ops_stack" in request.fixturenames:
        return  # starts a PostgreSQL and a Redis of its own (tests/ops_services.py)
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        missing_service("needs PostgreSQL: set DATABASE_URL=postgres://...")
    if request.node.get_closest_marker("redis") and not os.environ.get("REDIS_URL"):
        missing_service("needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0")


pytest_plugins = ["tests.conftest_stripe", "tests.browser_fixtures", "tests.ops_services"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache, so a page cached by one test never leaks into another.

    On Redis only this run's keys go (CACHE_KEY_PREFIX): parallel runs share the database.
    """
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url, process, timeout=20):
    """Wait until url answers at all (any HTTP status), or fail if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


@pytest.fixture(scope="session")
def s3_server():
    """A real S3 API (moto_server from the venv) on a free loopback port; yields its endpoint URL."""
    executable = Path(sys.executable).with_name("moto_server")
    if not executable.exists():
        missing_service("needs moto_server: install requirements-dev.txt")
    port = free_port()
    process = subprocess.Popen(
        [str(executable), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(endpoint, process)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


# Debian's chromium, launched by path: `playwright install` cannot download here.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch arguments, pointed at the system chromium."""
    executable = shutil.which("chromium")
    if not executable:
        missing_service("needs Debian's chromium: run `make browser-deps` (apt-get install chromium)")
    # Playwright's sync API keeps an event loop on the main thread, which Django
    # would take for async code calling the ORM; the ORM calls here are the
    # tests' own, made between browser steps.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """Keep the migrated database's snapshot reachable from every connection object.

    serialized_rollback restores Wagtail's root page and default site from a
    snapshot Django stores on the connection object that created the test
    database. Playwright's sync API runs the tests inside greenlets with their
    own context, where Django hands out fresh connection objects without that
    snapshot; keeping it on the class makes the restore work there too.
    """
    from django.db import connections

    snapshot = getattr(connections["default"], "_test_serialized_contents", None)
    if snapshot is not None:
        type(connections["default"])._test_serialized_contents = snapshot


@pytest.fixture
def live_demo_site(db, live_server):
    """The demo content, served by a live server of the project; yields its origin (no trailing slash).

    Tests using it mark themselves django_db(transaction=True, serialized_rollback=True).
    """
    from django.core.management import call_command

    call_command("load_demo_content", stdout=io.StringIO())
    return live_server.url


@pytest.fixture
def artifacts():
    """The folder CI keeps for people to look at: screenshots of the main pages."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Database tests first, then transactional ones, then the rest, as pytest-django orders them.

    pytest's own reordering (it groups tests sharing a parametrized session fixture, such as
    Playwright's browser) runs after pytest-django's and can put transactional tests in the middle.
    Their teardown empties the database (serialized_rollback restores it only for the next
    transactional test), so any plain database test after them would find no root page or locale.
    """

    from django.test import TestCase, TransactionTestCase

    def order(item):
        test_class = getattr(item, "cls", None)
        if test_class is not None and issubclass(test_class, TransactionTestCase):
            return 0 if issubclass(test_class, TestCase) else 1
        marker = item.get_closest_marker("django_db")
        fixtures = getattr(item, "fixturenames", ())
        transactional = bool(
            (marker is not None and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
            or "transactional_db" in fixtures
            or "live_server" in fixtures
        )
        if transactional:
            return 1
        return 0 if marker is not None or "db" in fixtures else 2

    items.sort(key=order)
