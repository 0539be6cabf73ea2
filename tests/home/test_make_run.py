"""`make run PORT=N` on a fresh database: the site serves on that port and a purchase completes there.

Runs the real Makefile target (migrate, demo content, admin, runserver) in a process
group of its own, with a SQLite file of its own and nothing set but PORT: no
SITE_BASE_URL, no Stripe keys (so payments are offline, as a newcomer gets them).
About a minute, most of it migrating.
"""

import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from tests.checkout_helpers import BUYER
from tests.conftest import free_port, missing_service, wait_for_http
from tests.ops_services import cookie_header, http, post_form

ROOT = Path(__file__).resolve().parents[2]
# What the developer's shell or this test run set that `make run` must not see.
INHERITED = ("DJANGO_", "STRIPE_", "REDIS_", "DATABASE_", "CACHE_", "PYTEST_", "MAKE", "MFLAGS")
UNSET = {"HOST", "PORT", "SITE_BASE_URL", "WAGTAILADMIN_BASE_URL", "PAGE_CACHE_SECONDS"}


@pytest.fixture
def make_run(tmp_path):
    """`make run PORT=<free port>`, yields (origin, console log path); stops the whole process group."""
    if not shutil.which("make"):
        missing_service("needs make")
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(INHERITED) and key not in UNSET}
    # Only so the run leaves the developer's own db.sqlite3 alone; the README's `make run` uses the default.
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    log = tmp_path / "make-run.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            ["make", "run", f"PORT={port}"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    origin = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_for_http(origin + "/robots.txt", process, timeout=300)
        except RuntimeError as error:
            raise AssertionError(f"{error}\n{log.read_text(errors='replace')[-3000:]}") from None
        yield origin, log
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def test_make_run_on_another_port_serves_there_and_an_offline_purchase_completes(make_run):
    origin, log = make_run
    console = log.read_text(errors="replace")
    # The README sends newcomers here for their admin password.
    assert re.search(r"Created admin 'admin' with password: \S+", console), console[-2000:]

    home = http(origin + "/")
    assert home.status == 200
    assert f'<link rel="canonical" href="{origin}/">' in home.body
    assert 'href="/about/">About us</a>' in home.body

    buy = post_form(Server(origin), "/offers/demo-website/buy/", BUYER)
    assert buy.status == 303, buy.body[:1000]
    payment_page = buy.headers["Location"]
    assert payment_page.startswith(origin + "/checkout/offline/"), payment_page

    form = http(payment_page)
    assert form.status == 200 and "Test mode" in form.body
    paid = http(
        payment_page,
        body=f"csrfmiddlewaretoken={form.form_token()}".encode(),
        headers={"Cookie": cookie_header(form.cookies), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert paid.status == 303, paid.body[:1000]
    assert paid.headers["Location"].startswith(origin + "/checkout/return/"), paid.headers["Location"]

    thanks = http(paid.headers["Location"])
    assert thanks.status == 200
    assert "Thank you, Ada" in thanks.body


class Server:
    """The dev server as tests.ops_services.post_form expects an app server."""

    def __init__(self, origin):
        self.origin = origin

    def get(self, path, **headers):
        return http(self.origin + path, headers=headers)

    def post(self, path, body, **headers):
        return http(self.origin + path, body=body, headers=headers)
