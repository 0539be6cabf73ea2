"""Faults on loopback: Redis stopped, PostgreSQL restarting, against a real gunicorn app server.

The services are this test's own (tests/ops_services.py), so stopping them
touches nothing shared. Run alone with `make fault-check`.
"""

import pytest

from tests.ops_services import OFFER_PATH, order_status, paid_event, start_checkout, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

PAGES = ["/", "/learn/", "/learn/what-a-cms-does/", OFFER_PATH, "/search/?query=website"]


@pytest.fixture(scope="module")
def app(ops_stack):
    server = ops_stack.app()
    yield server
    server.stop()


@pytest.fixture
def redis_down(ops_stack):
    ops_stack.redis.stop()
    yield
    ops_stack.redis.start()


def test_with_redis_stopped_pages_render_and_checkout_completes_and_the_outage_is_logged(ops_stack, app, redis_down):
    for path in PAGES:
        answer = app.get(path)
        assert answer.status == 200, (path, answer.status)
    assert "A demo website in one workday" in app.get(OFFER_PATH).body

    session_id = start_checkout(app)
    payload, headers = paid_event(ops_stack, session_id)
    assert app.post("/stripe/webhook/", payload, **headers).status == 200
    assert order_status(ops_stack, session_id) == "paid"

    health = app.get("/healthz")
    assert health.status == 200
    assert '"redis": "down"' in health.body and '"status": "degraded"' in health.body

    outages = [r for r in app.log_records() if r["message"] == "cache unavailable, serving without it"]
    assert outages, "the cache outage was not logged"
    assert all(r["level"] == "WARNING" and r["request_id"] != "-" for r in outages)
    assert not [r for r in app.log_records() if r["level"] == "ERROR"]


def test_while_postgres_restarts_health_is_503_and_webhooks_5xx_then_the_retried_event_is_processed(ops_stack, app):
    session_id = start_checkout(app)
    payload, headers = paid_event(ops_stack, session_id)
    assert app.get("/healthz").status == 200

    ops_stack.postgres.stop()
    try:
        health = app.get("/healthz")
        assert health.status == 503
        assert '"database": "down"' in health.body
        # Stripe retries any delivery that does not get a 2xx, for up to three days.
        delivery = app.post("/stripe/webhook/", payload, **headers)
        assert 500 <= delivery.status < 600
    finally:
        ops_stack.postgres.start()

    wait_until(lambda: app.get("/healthz").status == 200)
    for path in PAGES:
        assert app.get(path).status == 200, path
    assert order_status(ops_stack, session_id) == "pending"  # nothing was applied while the database was away

    retry = app.post("/stripe/webhook/", payload, **headers)
    assert retry.status == 200
    assert order_status(ops_stack, session_id) == "paid"
    (event_row,) = ops_stack.postgres.query(
        "SELECT processed_at IS NOT NULL FROM offers_stripeevent WHERE payload->'data'->'object'->>'id' = %s",
        session_id,
    )
    assert event_row == (True,)
