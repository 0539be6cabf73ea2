"""Test-wide fixtures and the rule for service-bound tests.

A test marked `postgres`, `redis`, `s3` or `browser` needs that real service.
Each CI pass selects its markers explicitly; with CI=true a selected test
whose service is missing fails instead of skipping, so CI can never go green
by not running the tests that matter.
"""

import os
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
