"""Production as deployed: the shipped deploy/nginx.conf terminating TLS in front of two gunicorn servers.

One PostgreSQL and one Redis of the tests' own (tests/ops_services.py), two app
servers with TRUSTED_PROXY_COUNT=1, nginx from tests/proxy_services.py, and
visitors each at an address of their own. Run alone with `make proxy-check`.
"""

import socket

import pytest

from tests.checkout_helpers import BUYER
from tests.conftest import free_port
from tests.ops_services import ADMIN, OFFER_PATH, AppServer
from tests.proxy_services import Proxy, Visitor

# The journeys start PostgreSQL and Redis of their own (ops_stack); CI runs them in its PostgreSQL pass.
pytestmark = [pytest.mark.proxy, pytest.mark.postgres, pytest.mark.redis]

ARTICLE_PATH = "/learn/what-a-cms-does/"
BUY_PATH = OFFER_PATH + "buy/"


@pytest.fixture(scope="module")
def deployed(ops_stack):
    """nginx (the shipped file) in front of two app servers that trust one proxy."""
    servers = []
    proxy = None
    try:
        https_port = free_port()  # known before the apps start: CSRF trusts the HTTPS origin
        env = {
            **ops_stack.env,
            "TRUSTED_PROXY_COUNT": "1",
            "AXES_ENABLED": "true",
            "CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{https_port}",
        }
        servers = [AppServer(env).start(), AppServer(env).start()]
        proxy = Proxy([server.port for server in servers], https_port=https_port).start()
        yield proxy
    finally:
        if proxy is not None:
            proxy.stop()
        for server in servers:
            server.stop()


def visitor(deployed, n):
    return Visitor(deployed, f"127.0.0.{n}")


# --- TLS, compression, static files, error pages -------------------------------------------------------------


def test_plain_http_is_redirected_to_https(deployed):
    reply = visitor(deployed, 2).get(ARTICLE_PATH, scheme="http")
    assert reply.status == 301
    assert reply.headers["location"].startswith("https://")
    assert reply.headers["location"].endswith(ARTICLE_PATH)


def test_https_offers_http2(deployed):
    raw = socket.create_connection(("127.0.0.1", deployed.https_port))
    with deployed.tls_context(("h2", "http/1.1")).wrap_socket(raw, server_hostname="localhost") as tls:
        assert tls.selected_alpn_protocol() == "h2"


def test_pages_arrive_compressed(deployed):
    reply = visitor(deployed, 2).get(ARTICLE_PATH)
    assert reply.status == 200
    assert reply.headers["content-encoding"] == "gzip"
    assert "<h1" in reply.body


def test_static_files_are_served_by_nginx_compressed_and_cached_for_a_year(deployed):
    reply = visitor(deployed, 2).get("/static/css/site.css")
    assert reply.status == 200
    assert reply.headers["content-encoding"] == "gzip"
    assert "max-age=31536000" in reply.headers["cache-control"]
    assert "x-request-id" not in reply.headers  # never reached the app


def test_an_upload_above_the_limit_gets_the_styled_413_page(deployed):
    reply = visitor(deployed, 2).request(
        "POST", "/admin/login/", body=b"x" * (13 * 1024 * 1024), headers={"Content-Type": "text/plain"}
    )
    assert reply.status == 413
    assert "too large" in reply.body
    assert "12 MB" in reply.body


def test_order_tokens_never_reach_the_access_log(deployed):
    token = "secret-order-token-1234567890"
    visitor(deployed, 2).get(f"/orders/{token}/refund/")
    visitor(deployed, 2).get("/checkout/return/?session_id=cs_test_secret_session")
    log = deployed.access_log
    assert "/orders/-/refund/" in log
    assert token not in log
    assert "cs_test_secret_session" not in log


# --- visitors, each at an address of their own ----------------------------------------------------------------


def test_eight_visitors_can_each_buy(deployed):
    for n in range(10, 18):
        reply = visitor(deployed, n).submit(BUY_PATH, {**BUYER, "email": f"visitor{n}@example.com"})
        assert reply.status == 303, (n, reply.status, reply.body[:500])


def test_one_visitor_faking_forwarded_entries_is_still_limited(deployed):
    bot = visitor(deployed, 40)
    statuses = []
    for n in range(7):
        reply = bot.submit(
            BUY_PATH, {**BUYER, "email": f"bot{n}@example.com"}, headers={"X-Forwarded-For": f"10.66.0.{n}"}
        )
        statuses.append(reply.status)
    assert 429 in statuses, statuses
    assert statuses[statuses.index(429) :] == [429] * (len(statuses) - statuses.index(429))
    assert "try again after" in reply.body
    assert int(reply.headers["retry-after"]) > 0


def test_wrong_passwords_lock_that_address_while_the_editor_elsewhere_gets_in(deployed):
    attacker = visitor(deployed, 50)
    statuses = [
        attacker.submit("/admin/login/", {"username": ADMIN["username"], "password": f"guess-{n}"}).status
        for n in range(5)
    ]
    assert statuses == [200] * 4 + [429]
    locked = attacker.submit("/admin/login/", ADMIN)
    assert locked.status == 429
    assert "paused until" in locked.body

    editor = visitor(deployed, 51)
    assert editor.submit("/admin/login/", ADMIN).status == 302
