"""The test server is as strict as Stripe's documentation, not as lenient as our own code would like.

Driven through the official `stripe` library over real HTTP. Each rule here is Stripe's: list paging, stored
results (errors included) replayed for the same key, keys forgotten after 24 hours, documented enums,
booleans and lengths, and only error codes Stripe has.
"""

import re
from pathlib import Path

import pytest
import stripe

from tests.fakes import stripe_server as fake
from tests.fakes.test_stripe_server import client_for, session_params


@pytest.fixture
def paid_intent(stripe_server):
    session = client_for(stripe_server).v1.checkout.sessions.create(session_params(stripe_server))
    return stripe_server.complete_session(session.id, amount_total=9000)["payment_intent"]


def refund(client, intent, key, amount=100):
    return client.v1.refunds.create({"payment_intent": intent, "amount": amount}, {"idempotency_key": key})


def test_eleven_refunds_come_in_pages_of_ten_and_auto_pagination_reads_them_all(stripe_server, paid_intent):
    client = client_for(stripe_server)
    made = [refund(client, paid_intent, f"r{n}").id for n in range(11)]
    first = client.v1.refunds.list({"payment_intent": paid_intent})
    assert len(first.data) == 10 and first.has_more
    assert [r.id for r in first.data] == made[::-1][:10]  # newest first
    second = client.v1.refunds.list({"payment_intent": paid_intent, "starting_after": first.data[-1].id})
    assert [r.id for r in second.data] == [made[0]] and not second.has_more
    assert sorted(r.id for r in first.auto_paging_iter()) == sorted(made)
    back = client.v1.refunds.list({"payment_intent": paid_intent, "ending_before": made[0], "limit": 3})
    assert [r.id for r in back.data] == made[::-1][7:10] and back.has_more


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"starting_after": "re_unknown"}])
def test_list_cursors_and_limits_outside_the_documented_range_are_refused(stripe_server, paid_intent, params):
    with pytest.raises(stripe.InvalidRequestError):
        client_for(stripe_server).v1.refunds.list({"payment_intent": paid_intent, **params})


def test_a_stored_500_is_replayed_for_the_same_key_and_a_new_key_runs(stripe_server, paid_intent):
    client = client_for(stripe_server)
    stripe_server.fail_next(500, stored=True)
    for _ in range(2):
        with pytest.raises(stripe.APIError):
            refund(client, paid_intent, "same")
    assert not stripe_server.refunds
    assert refund(client, paid_intent, "new").amount == 100


def test_a_500_after_the_refund_was_made_is_replayed_while_the_refund_stands(stripe_server, paid_intent):
    client = client_for(stripe_server)
    stripe_server.fail_next(500, after=True)
    with pytest.raises(stripe.APIError):
        refund(client, paid_intent, "lost-answer")
    with pytest.raises(stripe.APIError):
        refund(client, paid_intent, "lost-answer")
    assert len(stripe_server.refunds) == 1
    assert len(client.v1.refunds.list({"payment_intent": paid_intent}).data) == 1


def test_keys_are_forgotten_after_24_hours(stripe_server, paid_intent):
    client = client_for(stripe_server)
    first = refund(client, paid_intent, "daily")
    assert refund(client, paid_intent, "daily").id == first.id
    stripe_server.advance(24 * 60 * 60)
    assert refund(client, paid_intent, "daily").id != first.id
    assert len(stripe_server.refunds) == 2


def test_a_failed_validation_stores_nothing_under_the_key(stripe_server, paid_intent):
    client = client_for(stripe_server)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.refunds.create({"payment_intent": paid_intent, "reason": "changed_mind"}, {"idempotency_key": "k"})
    assert refund(client, paid_intent, "k").amount == 100


@pytest.mark.parametrize(
    "override",
    [
        {"mode": "donation"},
        {"billing_address_collection": "sometimes"},
        {"allowed_payment_method_types": ["cheque"]},
        {"tax_id_collection": {"enabled": "yes"}},
    ],
)
def test_enum_values_and_booleans_outside_the_documented_ones_are_refused(stripe_server, override):
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client_for(stripe_server).v1.checkout.sessions.create(session_params(stripe_server, **override))
    assert refused.value.param.startswith(next(iter(override)))
    assert not stripe_server.sessions


def test_short_evidence_fields_are_capped_at_5000_characters_and_long_ones_at_20000(stripe_server, paid_intent):
    charge = stripe_server.payment_intents[paid_intent]["latest_charge"]
    dispute = stripe_server.create_dispute(charge)
    client = client_for(stripe_server)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.disputes.update(dispute["id"], {"evidence": {"customer_name": "x" * 5001}, "submit": False})
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.disputes.update(dispute["id"], {"evidence": {"uncategorized_text": "x" * 20001}, "submit": False})
    staged = client.v1.disputes.update(
        dispute["id"], {"evidence": {"customer_name": "x" * 5000, "uncategorized_text": "x" * 20000}, "submit": False}
    )
    assert staged.status == "needs_response"


def test_every_error_code_the_server_can_answer_is_one_stripe_has():
    source = Path(fake.__file__).read_text()
    codes = set(re.findall(r'code="([a-z_]+)"', source))
    assert codes and codes <= fake.STRIPE_ERROR_CODES, codes - fake.STRIPE_ERROR_CODES
    with pytest.raises(ValueError):
        fake.StripeAPIError(400, "made up", code="dispute_already_closed")


def test_tax_rates_are_read_as_stripe_sends_them(stripe_server):
    rate = stripe_server.create_tax_rate(19, inclusive=False)
    read = client_for(stripe_server).v1.tax_rates.retrieve(rate["id"])
    assert (read.percentage, read.inclusive, read.active) == (19.0, False, True)
