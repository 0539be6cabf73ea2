"""Stripe misbehaving, seen through gunicorn as production runs it (gunicorn.conf.py, timeouts scaled down).

Real gunicorn processes on a PostgreSQL of the tests' own (tests/ops_services.py) and one Stripe test server:
a hanging Stripe gets the buyer the site's own 503 page well before the worker timeout, with the seat given
back while other visitors are served; and two databases on one Stripe account (a restored copy) never
receive each other's Checkout Sessions or events.
"""

import subprocess
import threading
import uuid

import pytest

from tests.checkout_helpers import BUYER
from tests.ops_services import OFFER_PATH, AppServer, paid_event, post_form, postgres_bin, start_checkout

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

# Scaled down from production's 30 s worker and 20 s of Stripe; the ratio is what matters.
WORKER_TIMEOUT = 8
SCALED = {
    "GUNICORN_TIMEOUT": str(WORKER_TIMEOUT),
    "STRIPE_BUDGET_SECONDS": "3",
    "STRIPE_TIMEOUT": "2",
    "WEB_CONCURRENCY": "1",
    "GUNICORN_THREADS": "4",
}


@pytest.fixture
def shipped(ops_stack):
    server = AppServer({**ops_stack.env, **SCALED}, shipped_config=True).start()
    yield server
    ops_stack.stripe.recover()
    server.stop()


def buy(app, email):
    return post_form(app, OFFER_PATH + "buy/", {**BUYER, "email": email})


def test_a_hanging_stripe_gets_the_buyer_the_sites_503_in_time_and_the_seat_back(ops_stack, shipped):
    email = f"hang-{uuid.uuid4().hex[:8]}@example.com"
    assert shipped.get("/").status == 200  # cached now
    ops_stack.stripe.hang_next(times=20, seconds=60)
    answers = {}
    buyer = threading.Thread(target=lambda: answers.update(buy=buy(shipped, email)))
    buyer.start()
    try:
        while not ops_stack.stripe.calls("POST", "/v1/checkout/sessions"):
            buyer.join(0.05)
        # The buy request is waiting on Stripe; another visitor is served meanwhile.
        assert shipped.get("/").status == 200
        assert buyer.is_alive()
    finally:
        buyer.join(WORKER_TIMEOUT)
    assert not buyer.is_alive(), "no answer within the worker timeout: the proxy would have cut it"
    answer = answers["buy"]
    assert answer.status == 503
    assert "No payment was taken" in answer.body
    [(status, holds)] = ops_stack.postgres.query(
        "SELECT o.status, (SELECT count(*) FROM offers_slothold h WHERE h.order_id = o.id) "
        "FROM offers_order o WHERE o.customer_email = %s",
        email,
    )
    assert (status, holds) == ("expired", 0)
    assert "WORKER TIMEOUT" not in shipped.log.read_text()


@pytest.fixture
def restored_copy(ops_stack):
    """A second database restored from a dump of the first: same references, same sequences, same Stripe."""
    name = f"agency_copy_{uuid.uuid4().hex[:6]}"
    ops_stack.postgres.create_database(name)
    dump = subprocess.run(
        [postgres_bin("pg_dump"), "--no-owner", ops_stack.postgres.url()], check=True, capture_output=True
    )
    subprocess.run(
        [postgres_bin("psql"), "-q", "-v", "ON_ERROR_STOP=1", ops_stack.postgres.url(name)],
        input=dump.stdout,
        check=True,
        capture_output=True,
    )
    copy = AppServer({**ops_stack.env, "DATABASE_URL": ops_stack.postgres.url(name), "CACHE_KEY_PREFIX": name}).start()
    original = ops_stack.app()
    yield original, copy, name
    copy.stop()
    original.stop()


def reference_of(ops_stack, session_id, database):
    rows = ops_stack.postgres.query(
        "SELECT reference, status FROM offers_order WHERE stripe_session_id = %s", session_id, database=database
    )
    return rows[0] if rows else None


def test_two_databases_on_one_stripe_account_never_share_a_session_or_an_event(ops_stack, restored_copy):
    original, copy, copy_name = restored_copy
    here = start_checkout(original)
    there = start_checkout(copy)
    assert here != there
    (reference_here, _), (reference_there, _) = (
        reference_of(ops_stack, here, "agency"),
        reference_of(ops_stack, there, copy_name),
    )
    assert reference_here == reference_there  # the restore repeats references: keys and events must not use them
    assert (
        ops_stack.stripe.sessions[here]["metadata"]["order_token"]
        != (ops_stack.stripe.sessions[there]["metadata"]["order_token"])
    )

    # Stripe sends every event of the account to every endpoint: the copy's buyer pays.
    payload, headers = paid_event(ops_stack, there)
    assert original.post("/stripe/webhook/", payload, **headers).status == 200
    assert reference_of(ops_stack, here, "agency")[1] == "pending"
    assert reference_of(ops_stack, there, "agency") is None
    assert copy.post("/stripe/webhook/", payload, **headers).status == 200
    assert reference_of(ops_stack, there, copy_name)[1] == "paid"
