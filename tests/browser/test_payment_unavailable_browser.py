"""The page a buyer sees when Stripe fails: readable at 375 and 1366 px, light and dark, with no WCAG violation."""

import pytest
from playwright.sync_api import expect

from offers.payments import stripe_client
from tests.browser_fixtures import BUY_PATH, axe_violations, check_page, fill_buy_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_payment_unavailable_page_says_no_payment_was_taken_and_passes_axe(scan_context, shop, monkeypatch, artifacts):
    def stripe_down(params, key):
        raise stripe_client.PaymentProviderError("Stripe did not answer within the time budget.")

    monkeypatch.setattr(stripe_client, "create_checkout_session", stripe_down)
    page = scan_context.new_page()
    page.goto(shop + BUY_PATH)
    fill_buy_form(page)
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.locator("button.button--buy").click()
    assert posted.value.status == 503
    expect(page.locator("h1")).to_have_text("Payment is not available right now")
    expect(page.locator("main")).to_contain_text("No payment was taken")
    found = []
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.evaluate("Promise.all(document.getAnimations().map(animation => animation.finished))")
        found += [f"[{scheme}] {line}" for line in axe_violations(page)]
        check_page(page, f"payment-unavailable-{scheme}", artifacts)
    assert not found, "\n".join(found)
