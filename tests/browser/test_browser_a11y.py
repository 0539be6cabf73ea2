"""axe-core scans the pages people read and buy on, in the light and the dark colour scheme: WCAG 2.2 AA, no rule off."""

import pytest
from playwright.sync_api import expect

from tests.browser_fixtures import ARTICLE_PATH, BUY_PATH, OFFER_PATH, axe_violations, buy_and_pay

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def scan_both_schemes(page, where):
    """Violations on the current page in both colour schemes, each line naming the scheme."""
    found = []
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        # The site eases colours over 0.15 s: scan what settles, not a frame in between.
        page.evaluate("Promise.all(document.getAnimations().map(animation => animation.finished))")
        found += [f"{where} [{scheme}] {line}" for line in axe_violations(page)]
    return found


def test_reading_pages_have_no_violations(scan_context, shop):
    page = scan_context.new_page()
    found = []
    for where, path in [
        ("home", "/"),
        ("learn index", "/learn/"),
        ("article", ARTICLE_PATH),
        ("offer page", OFFER_PATH),
        ("search results", "/search/?query=hosting"),
    ]:
        assert page.goto(shop + path).status == 200, path
        found += scan_both_schemes(page, where)
    assert not found, "\n".join(found)


def test_buy_form_with_errors_has_no_violations(scan_context, shop):
    page = scan_context.new_page()
    page.goto(shop + BUY_PATH)
    page.locator("button.button--buy").click()
    expect(page.locator(".field__error").first).to_be_visible()
    found = scan_both_schemes(page, "buy form with errors")
    assert not found, "\n".join(found)


def test_thank_you_and_order_pages_have_no_violations(scan_context, shop):
    from tests.guarantee_helpers import delivered, page_path

    page = scan_context.new_page()
    order = buy_and_pay(page, shop)
    expect(page.locator("h1")).to_contain_text("Thank you")
    found = scan_both_schemes(page, "thank-you page")

    page.goto(shop + page_path(order))
    expect(page.locator("h1")).to_contain_text(order.reference)
    found += scan_both_schemes(page, "order page before delivery")

    delivered(order)
    page.reload()
    expect(page.get_by_role("button", name="I don't like it: refund me")).to_be_visible()
    found += scan_both_schemes(page, "order page after delivery")
    assert not found, "\n".join(found)
