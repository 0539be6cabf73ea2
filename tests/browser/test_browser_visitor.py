"""A visitor in Debian's chromium: reading, the offer banner, buying (by mouse and by keyboard only), on a phone."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from offers.models import DemoPackage, Order, SlotHold
from tests.browser_fixtures import (
    ARTICLE_PATH,
    BUY_PATH,
    OFFER_PATH,
    PHONE,
    BrowserProblems,
    assert_no_sideways_scroll,
    bar_banner,
    check_page,
    fill_buy_form,
    tab_to,
)
from tests.checkout_helpers import BUYER, only_order, orders_made_here

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

OTHER_ARTICLE_PATH = "/learn/web-hosting/"


def test_table_of_contents_jumps_to_a_key_point(page, live_demo_site):
    page.goto(live_demo_site + ARTICLE_PATH)
    toc = page.get_by_role("navigation", name="Contents")
    point_link = toc.locator(".toc__list--points a").first
    anchor = point_link.get_attribute("href")
    title = point_link.inner_text()
    assert page.locator(anchor).evaluate("el => el.getBoundingClientRect().top") > page.viewport_size["height"]

    point_link.click()

    expect(page).to_have_url(live_demo_site + ARTICLE_PATH + anchor)
    key_point = page.locator(f"li.key-point{anchor}")
    expect(key_point.locator(".key-point__title")).to_contain_text(title)
    expect(key_point).to_be_in_viewport()


def test_dismissed_banner_stays_away_on_other_articles_and_after_reload(page, live_demo_site):
    problems = BrowserProblems(page)
    page.goto(live_demo_site + ARTICLE_PATH)
    banner = page.locator("aside.offer-banner--inline")
    expect(banner).to_be_visible()
    banner.get_by_role("button", name="Dismiss this offer").click()
    expect(banner).to_be_hidden()

    page.goto(live_demo_site + OTHER_ARTICLE_PATH)
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("aside.offer-banner--inline")).to_be_hidden()
    page.reload()
    expect(page.locator("aside.offer-banner--inline")).to_be_hidden()

    # A reader who never dismissed it still sees it: the test above is not passing by accident.
    fresh = page.context.browser.new_page()
    fresh.goto(live_demo_site + OTHER_ARTICLE_PATH)
    expect(fresh.locator("aside.offer-banner--inline")).to_be_visible()
    fresh.close()
    problems.assert_none("banner dismissal")


def test_reader_buys_through_the_banner_and_sees_the_order_paid(page, shop):
    problems = BrowserProblems(page)
    page.goto(shop + ARTICLE_PATH)
    banner_link = page.locator("aside.offer-banner--inline a.offer-banner__cta")
    banner_id = int(banner_link.get_attribute("href").strip("/").split("/")[-1])
    banner_link.click()
    page.wait_for_url(f"**{OFFER_PATH}*")
    page.locator("a.button--buy").first.click()
    page.wait_for_url(f"**{BUY_PATH}*")

    fill_buy_form(page, email="ada at example")
    page.locator("button.button--buy").click()
    email_field = page.locator("#id_email")
    expect(page.locator(".field--error .field__error")).to_contain_text("valid email")
    expect(email_field).to_have_value("ada at example")
    assert not orders_made_here().exists()

    email_field.fill(BUYER["email"])
    page.locator("button.button--buy").click()
    page.wait_for_url("**/checkout/offline/**")
    expect(page.locator("h1")).to_contain_text("Pay €90.00")
    page.get_by_role("button", name="Pay").click()

    page.wait_for_url("**/checkout/return/**")
    order = only_order()
    expect(page.locator("h1")).to_contain_text("Thank you, Ada")
    expect(page.locator("main")).to_contain_text(f"Your order {order.reference} is paid.")
    assert order.status == Order.Status.PAID
    # The banner's link went through /go/<id>/, so the order remembers which banner sold it.
    assert order.banner_id == banner_id
    problems.assert_none("purchase through the banner")


def test_abandoned_payment_returns_to_the_offer_and_frees_the_seat_once_expired(page, shop):
    DemoPackage.objects.update(capacity_per_day=1)
    page.goto(shop + OFFER_PATH)
    free_slot = page.locator(".buy-box strong").inner_text()

    page.locator("a.button--buy").first.click()
    fill_buy_form(page)
    page.locator("button.button--buy").click()
    page.wait_for_url("**/checkout/offline/**")
    page.get_by_role("link", name="Go back without paying").click()

    page.wait_for_url(f"**{OFFER_PATH}?cancelled=1")
    expect(page.get_by_role("status").filter(has_text="Your payment was cancelled")).to_be_visible()
    expect(page.locator(".buy-box strong")).not_to_have_text(free_slot)  # the only seat that day is held

    # Half an hour later the hold lapses by itself.
    SlotHold.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    page.goto(shop + OFFER_PATH)
    expect(page.locator(".buy-box strong")).to_have_text(free_slot)
    assert only_order().status == Order.Status.PENDING  # nothing was charged


@pytest.mark.postgres
def test_search_for_databases_finds_the_back_end_article(page, live_demo_site):
    page.goto(live_demo_site + "/search/")
    page.get_by_label("Search explainers and pages").fill("databases")
    page.get_by_label("Search explainers and pages").press("Enter")
    page.wait_for_url("**/search/?query=databases")
    expect(page.locator(".results").get_by_role("link", name="Back-end development")).to_be_visible()


def test_whole_purchase_with_the_keyboard_only(page, shop):
    problems = BrowserProblems(page)
    page.goto(shop + OFFER_PATH)
    tab_to(page, "a.button--buy")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{BUY_PATH}*")

    # From the top of the page the header menu comes first; after that each field is a few presses on.
    for field in ("name", "email", "company", "brief_business", "brief_existing_site", "brief_goals", "brief_style"):
        tab_to(page, f"#id_{field}", limit=30 if field == "name" else 10)
        page.keyboard.type(BUYER[field])
    for box in ("accept_terms", "express_start"):
        tab_to(page, f"#id_{box}", limit=10)
        page.keyboard.press("Space")
        expect(page.locator(f"#id_{box}")).to_be_checked()
    tab_to(page, "button.button--buy", limit=10)
    page.keyboard.press("Enter")

    page.wait_for_url("**/checkout/offline/**")
    tab_to(page, "button.button--buy")
    page.keyboard.press("Space")
    page.wait_for_url("**/checkout/return/**")
    expect(page.locator("h1")).to_contain_text("Thank you, Ada")
    assert only_order().status == Order.Status.PAID
    problems.assert_none("keyboard-only purchase")


def assert_visible_and_uncovered(button, where):
    """The button is on screen once scrolled to, and the element at its centre is the button itself."""
    button.scroll_into_view_if_needed()
    expect(button).to_be_in_viewport()
    on_top = button.evaluate(
        """button => {
            const box = button.getBoundingClientRect();
            const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
            return top === null ? "nothing" : (button.contains(top) ? "" : top.outerHTML.slice(0, 200));
        }"""
    )
    assert on_top == "", f"{where}: the Buy button is covered by {on_top}"


def test_on_a_phone_no_page_scrolls_sideways_and_buy_is_never_covered(page, shop, artifacts):
    """Every page of the purchase at 375 px, with a bar banner where banners show; screenshots (desktop and phone).

    Banners never show on their own offer page or the checkout pages, so what
    could cover the Buy button there is the site's own header and layout.
    """
    bar_banner("Two seats left this week")
    page.set_viewport_size(PHONE)
    for name, path in [
        ("home", "/"),
        ("learn-index", "/learn/"),
        ("article", ARTICLE_PATH),
        ("offer", OFFER_PATH),
    ]:
        page.goto(shop + path)
        if path != OFFER_PATH:
            expect(page.get_by_text("Two seats left this week")).to_be_visible()
        assert_no_sideways_scroll(page, name)
    for index in range(page.locator("a.button--buy").count()):
        assert_visible_and_uncovered(page.locator("a.button--buy").nth(index), f"offer page, Buy link {index + 1}")
    check_page(page, "offer", artifacts)
    page.goto(shop + "/search/?query=hosting")
    check_page(page, "search-results", artifacts)

    page.set_viewport_size(PHONE)
    page.goto(shop + BUY_PATH)
    assert_no_sideways_scroll(page, "buy form")
    page.locator("button.button--buy").click()
    assert_no_sideways_scroll(page, "buy form with errors")
    check_page(page, "buy-form-errors", artifacts)
    page.set_viewport_size(PHONE)
    fill_buy_form(page)
    assert_visible_and_uncovered(page.locator("button.button--buy"), "buy form")
    page.locator("button.button--buy").click()
    page.wait_for_url("**/checkout/offline/**")
    assert_no_sideways_scroll(page, "offline payment page")
    page.locator("button.button--buy").click()
    page.wait_for_url("**/checkout/return/**")
    check_page(page, "thank-you", artifacts)
