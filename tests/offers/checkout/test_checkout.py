"""Buying the demo: the buy form, the held seat, the Stripe Checkout Session, and what the buyer sees.

Stripe is the Stripe-compatible test server, reached over HTTP by the official library.
"""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from offers.catalogue import availability
from offers.models import Order, SlotHold
from tests.checkout_helpers import BUYER, buy_url, only_order, post_buy
from tests.factories import offer_page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]


@pytest.fixture
def offer():
    return offer_page()


def test_buy_form_shows_price_agreements_and_an_obligation_to_pay(client, offer):
    response = client.get(buy_url(offer))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Buy now, pay" in html
    assert offer.package.price_display in html
    assert 'name="express_start"' in html
    assert 'name="accept_terms"' in html
    assert offer.refund_policy.get_absolute_url() in html


def test_form_with_errors_lists_each_at_the_top_linked_to_its_field_and_names_it_beside_the_field(client, offer):
    response = post_buy(client, offer, name="", email="not an address", accept_terms=None)
    html = response.content.decode()
    assert response.status_code == 400
    summary = html[html.index('class="error-summary"') : html.index("</div>", html.index('class="error-summary"'))]
    assert "autofocus" in summary
    assert "Please correct 3 things before booking" in summary
    for field in ("name", "email", "accept_terms"):
        assert f'href="#id_{field}"' in summary
        assert f'id="id_{field}_error"' in html
        tag = html[html.index(f'id="id_{field}"') - 200 : html.index(f'id="id_{field}"') + 200]
        assert 'aria-invalid="true"' in tag
        assert f"id_{field}_error" in tag
    assert 'aria-describedby="id_email_helptext id_email_error"' in html
    assert 'id="id_email_helptext"' in html


def test_valid_form_holds_a_seat_and_answers_303_to_the_checkout_session(client, offer, stripe_api):
    response = post_buy(client, offer)
    order = only_order()
    assert response.status_code == 303
    assert response["Location"] == order.stripe_session_url
    assert order.status == Order.Status.PENDING
    hold = SlotHold.objects.get(order=order)
    assert hold.date == order.slot_date
    assert hold.expires_at == order.session_expires_at
    assert order.delivery_deadline > timezone.now()
    assert order.history.get().trigger == "checkout_started"


def test_session_parameters_come_from_the_database(client, offer, stripe_api):
    before = int(time.time())
    post_buy(client, offer, price="1", amount="1", unit_amount="1")
    order = only_order()
    params = stripe_api.session_params[order.stripe_session_id]
    price = params["line_items"][0]["price_data"]
    assert price["unit_amount"] == "9000"
    assert price["currency"] == "eur"
    assert params["mode"] == "payment"
    assert params["customer_email"] == BUYER["email"]
    assert params["client_reference_id"] == order.reference
    assert params["metadata"]["order_reference"] == order.reference
    assert params["billing_address_collection"] == "required"
    assert params["tax_id_collection"]["enabled"] == "true"
    assert params["invoice_creation"]["enabled"] == "true"
    assert params["allowed_payment_method_types"] == ["card"]
    assert params["success_url"].endswith("/checkout/return/?session_id={CHECKOUT_SESSION_ID}")
    assert params["cancel_url"].endswith(offer.url + "?cancelled=1")
    assert 31 * 60 <= int(params["expires_at"]) - before <= 33 * 60
    post = stripe_api.calls("POST", "/v1/checkout/sessions")[0]
    assert post["headers"]["Idempotency-Key"] == f"{order.payment_token}:checkout-session:1"


def test_express_start_request_is_required_to_book(client, offer, stripe_api):
    response = post_buy(client, offer, express_start=None)
    assert response.status_code == 400
    assert "start early" in response.content.decode()
    assert not Order.objects.exists()
    assert not stripe_api.requests


def test_terms_must_be_accepted(client, offer, stripe_api):
    assert post_buy(client, offer, accept_terms=None).status_code == 400
    assert not Order.objects.exists()


def test_honeypot_takes_no_seat_and_calls_no_stripe(client, offer, stripe_api):
    response = post_buy(client, offer, website="http://spam.example")
    assert response.status_code == 400
    assert not Order.objects.exists()
    assert not SlotHold.objects.exists()
    assert not stripe_api.requests


def test_rate_limit_per_ip_stops_a_bot_taking_every_seat(client, offer, stripe_api):
    offer.package.capacity_per_day = 50
    offer.package.save()
    statuses = [post_buy(client, offer, email=f"buyer{n}@example.com").status_code for n in range(6)]
    # Three unpaid seats per visitor at once (counted in the database), whatever the e-mail addresses.
    assert statuses == [303] * 3 + [429] * 3
    assert post_buy(client, offer, email="other@example.com", ip="198.51.100.9").status_code == 303


def test_second_submission_reuses_the_pending_order_and_session(client, offer, stripe_api):
    first = post_buy(client, offer)
    second = post_buy(client, offer, email=BUYER["email"].upper())
    assert first["Location"] == second["Location"]
    assert Order.objects.count() == 1
    assert len(stripe_api.sessions) == 1


def test_stripe_error_shows_a_clear_page_and_gives_the_seat_back_at_once(client, offer, stripe_api):
    offer.package.capacity_per_day = 1
    offer.package.save()
    stripe_api.fail_next(500, times=3)
    response = post_buy(client, offer)
    order = only_order()
    assert response.status_code == 503
    assert "No payment was taken" in response.content.decode()
    assert order.status == Order.Status.EXPIRED
    assert not SlotHold.objects.exists()
    assert order.history.last().trigger == "payment_unavailable"


def test_stripe_slow_past_the_timeout_shows_the_same_page(client, offer, stripe_api, settings):
    settings.STRIPE_TIMEOUT = 0.3
    stripe_api.hang_next(times=3)
    response = post_buy(client, offer)
    assert response.status_code == 503
    assert "No payment was taken" in response.content.decode()
    assert only_order().stripe_session_id is None


def test_retry_after_stripe_failure_is_a_new_order_under_a_new_key(client, offer, stripe_api):
    """Stripe keeps a keyed 500 and replays it: a retry under the failed order's key would fail forever."""
    stripe_api.fail_next(500, times=3)
    post_buy(client, offer)
    response = post_buy(client, offer)
    failed, paid_for = Order.objects.order_by("pk")
    assert response.status_code == 303
    assert response["Location"] == paid_for.stripe_session_url
    keys = [c["headers"]["Idempotency-Key"] for c in stripe_api.calls("POST", "/v1/checkout/sessions")]
    assert set(keys) == {f"{failed.payment_token}:checkout-session:1", f"{paid_for.payment_token}:checkout-session:1"}
    assert len(stripe_api.sessions) == 1


def test_no_free_seat_says_so_before_any_payment(client, offer, stripe_api):
    package = offer.package
    package.capacity_per_day = 1
    package.horizon_working_days = 1
    package.save()
    assert post_buy(client, offer).status_code == 303
    response = post_buy(client, offer, email="late@example.com", ip="198.51.100.2")
    assert response.status_code == 409
    assert Order.objects.count() == 1
    assert len(stripe_api.sessions) == 1


def test_lapsed_hold_frees_its_seat_by_itself(client, offer, stripe_api):
    package = offer.package
    package.capacity_per_day = 1
    package.horizon_working_days = 1
    package.save()
    post_buy(client, offer)
    order = only_order()
    day = order.slot_date
    assert availability.seats_taken(package, [day]) == {day: 1}
    SlotHold.objects.filter(order=order).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert availability.seats_taken(package, [day]) == {day: 0}
    assert post_buy(client, offer, email="next@example.com", ip="198.51.100.3").status_code == 303
    assert SlotHold.objects.get().order.customer_email == "next@example.com"


def test_without_stripe_keys_and_offline_mode_the_offer_cannot_be_bought(client, offer, settings):
    settings.STRIPE_OFFLINE = False
    settings.STRIPE_SECRET_KEY = ""
    page_html = client.get(offer.url).content.decode()
    assert "Online booking is not open" in page_html
    assert "Buy now for" not in page_html
    response = post_buy(client, offer)
    assert response.status_code == 409
    assert not Order.objects.exists()
