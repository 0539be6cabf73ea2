"""Real services of the ops tests' own: a PostgreSQL cluster, a Redis and gunicorn app servers on loopback.

The fault tests stop and restart these, so they never touch the shared
PostgreSQL (5432) or Redis (6379): each is started here on a free port from
Debian's binaries, and the app servers are real gunicorn processes reached over
HTTP. Registered from tests/conftest.py; the fixtures are session-scoped
because migrating a fresh PostgreSQL database is the slow part.
"""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pytest
import redis

from tests.checkout_helpers import BUYER
from tests.conftest import free_port, missing_service, wait_for_http
from tests.conftest_stripe import WEBHOOK_SECRET
from tests.fakes.stripe_server import FakeStripe, sign_webhook

ROOT = Path(__file__).resolve().parent.parent


def end_process(process, timeout=10):
    """Stop a child we started, killing it if it does not stop in time: a test never leaves one behind."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def postgres_bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


class OwnRedis:
    """A redis-server of our own, no persistence, that a test may stop and start again on the same port."""

    def __init__(self, *options):
        self.executable = shutil.which("redis-server")
        self.options = options
        self.port = free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                self.executable,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                *self.options,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping()
                return self
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start")

    def stop(self):
        end_process(self.process)


def as_postgres_user(command):
    """PostgreSQL refuses to run as root: as root, run its tools as the `postgres` system user."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


class OwnPostgres:
    """A throwaway PostgreSQL cluster in a temporary directory (initdb, pg_ctl), trusting loopback."""

    def __init__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="ops-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        self.data = self.directory / "data"
        self.port = free_port()

    def url(self, database="agency"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def pg(self, tool, *args, check=True):
        return subprocess.run(
            as_postgres_user([postgres_bin(tool), "-D", str(self.data), *args]), check=check, capture_output=True
        )

    def init(self):
        self.pg("initdb", "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        return self

    def start(self):
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.pg("pg_ctl", "-o", options, "-l", str(self.directory / "log"), "-w", "start")
        return self

    def stop(self):
        if self.pg("pg_ctl", "-m", "fast", "-w", "-t", "30", "stop", check=False).returncode != 0:
            # Still running (or never started): immediate mode never waits for clients.
            self.pg("pg_ctl", "-m", "immediate", "-w", "stop", check=False)

    def create_database(self, name):
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

    def query(self, sql, *params, database="agency"):
        with psycopg.connect(self.url(database)) as conn:
            return conn.execute(sql, params).fetchall()

    def execute(self, sql, database="agency"):
        with psycopg.connect(self.url(database), autocommit=True) as conn:
            conn.execute(sql)

    def remove(self):
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


def app_environment(**changes):
    """The environment of an app process: this checkout's code, test settings, nothing inherited about services."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "STRIPE_", "REDIS_", "DATABASE_", "CACHE_", "PYTEST_"))
    }
    env.update(DJANGO_SETTINGS_MODULE="tests.ops_settings", LOG_FORMAT="json", PYTHONUNBUFFERED="1")
    env.update({key: value for key, value in changes.items() if value is not None})
    return env


def manage(env, *args, timeout=300):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


class AppServer:
    """A gunicorn process serving the project; its log lines (JSON) are kept for the test to read."""

    def __init__(self, env, shipped_config=False):
        self.env = env
        # With shipped_config, gunicorn runs as `make serve` runs it: gunicorn.conf.py, tuned by the environment.
        self.shipped_config = shipped_config
        self.port = free_port()
        self.log = Path(tempfile.mkstemp(prefix="ops-app-", suffix=".log")[1])
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        gunicorn = Path(sys.executable).with_name("gunicorn")
        with self.log.open("ab") as log:
            options = ["--workers", "1", "--threads", "4", "--graceful-timeout", "2", "--no-control-socket"]
            self.process = subprocess.Popen(
                [
                    str(gunicorn),
                    "config.wsgi",
                    "-c",
                    "gunicorn.conf.py",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    *([] if self.shipped_config else options),
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for_http(self.url + "/robots.txt", self.process, timeout=60)
        except Exception:
            self.stop()
            raise
        return self

    def stop(self):
        end_process(self.process, timeout=15)
        self.log.unlink(missing_ok=True)

    def log_records(self):
        records = []
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    records.append(json.loads(line))
                except ValueError:
                    continue
        return records

    def get(self, path, **headers):
        return http(self.url + path, headers=headers)

    def post(self, path, body, **headers):
        return http(self.url + path, body=body, headers=headers)


@dataclass
class Answer:
    status: int
    body: str
    headers: dict
    cookies: dict

    def form_token(self):
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.body).group(1)


def _answer(response, status):
    cookies = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        cookies.update({name: morsel.value for name, morsel in SimpleCookie(header).items()})
    return Answer(status, response.read().decode(errors="replace"), dict(response.headers), cookies)


def cookie_header(cookies):
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def http(url, body=None, headers=None, timeout=20):
    """One HTTP request; any status is an answer (no redirects followed), a refused connection raises."""
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with _opener.open(request, timeout=timeout) as response:
            return _answer(response, response.status)
    except urllib.error.HTTPError as error:
        return _answer(error, error.code)


def wait_until(condition, timeout=30, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"not true within {timeout} s: {condition}")


@dataclass
class OpsStack:
    postgres: OwnPostgres
    redis: OwnRedis
    stripe: FakeStripe
    env: dict

    def app(self):
        return AppServer(self.env).start()


@pytest.fixture(scope="session")
def ops_stack():
    """Own PostgreSQL (migrated, demo content) and Redis, a Stripe stand-in, and the app environment for them."""
    if not postgres_bin("initdb") or not postgres_bin("pg_ctl"):
        missing_service("needs PostgreSQL's server binaries (Debian package postgresql)")
    if not shutil.which("redis-server"):
        missing_service("needs redis-server (Debian package redis-server)")
    postgres, redis, stripe = OwnPostgres(), OwnRedis(), FakeStripe()
    try:
        postgres.init().start()
        redis.start()
        stripe.start()
        postgres.create_database("agency")
        env = app_environment(
            DATABASE_URL=postgres.url(),
            REDIS_URL=redis.url,
            CACHE_KEY_PREFIX=f"ops-{uuid.uuid4().hex[:8]}",
            STRIPE_SECRET_KEY=stripe.api_key,
            STRIPE_API_BASE=stripe.base_url,
            STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        )
        manage(env, "migrate", "--noinput")
        manage(env, "load_demo_content")
        manage(
            {**env, "DJANGO_SUPERUSER_USERNAME": ADMIN["username"], "DJANGO_SUPERUSER_PASSWORD": ADMIN["password"]},
            "ensure_admin",
        )
        yield OpsStack(postgres, redis, stripe, env)
    finally:
        stripe.stop()
        redis.stop()
        postgres.remove()


# --- what a buyer and Stripe do, over HTTP ------------------------------------------------------------------

OFFER_PATH = "/offers/demo-website/"
ADMIN = {"username": "ops-admin", "password": "a-long-test-password-for-ops"}


def post_form(app, path, fields, cookies=None):
    """What a browser does with a Django form: GET it (CSRF cookie and token), then POST it with both."""
    form = app.get(path, Cookie=cookie_header(cookies or {}))
    assert form.status == 200, (path, form.status)
    cookies = {**(cookies or {}), **form.cookies}
    return app.post(
        path,
        urlencode({**fields, "csrfmiddlewaretoken": form.form_token()}).encode(),
        Cookie=cookie_header(cookies),
        **{"Content-Type": "application/x-www-form-urlencoded"},
    )


def start_checkout(app):
    """A buyer fills in the buy form; returns the Checkout Session id Stripe would show."""
    # An address of its own each time: one e-mail address may hold only two unpaid seats.
    answer = post_form(app, OFFER_PATH + "buy/", {**BUYER, "email": f"ops-{uuid.uuid4().hex[:8]}@example.com"})
    assert answer.status == 303, (answer.status, answer.body[:500])
    return answer.headers["Location"].rsplit("/", 1)[-1]


def paid_event(stack, session_id):
    """The buyer pays at Stripe: the signed `checkout.session.completed` delivery (body and headers)."""
    session = stack.stripe.complete_session(session_id)
    payload = json.dumps(stack.stripe.make_event("checkout.session.completed", session)).encode()
    headers = {"Stripe-Signature": sign_webhook(payload, WEBHOOK_SECRET), "Content-Type": "application/json"}
    return payload, headers


def order_status(stack, session_id):
    rows = stack.postgres.query("SELECT status FROM offers_order WHERE stripe_session_id = %s", session_id)
    return rows[0][0] if rows else None
