"""Offer banners in a real browser: the dialog's focus handling, Esc, remembered dismissal, and no-JS fallback."""

import pytest
from playwright.sync_api import expect

from offers.models import OfferBanner, OfferPage
from tests.factories import publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def console_errors(page):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.fixture
def dialog_banner(live_demo_site):
    banner = OfferBanner(
        headline="One day, one demo",
        message="We build it while you work.",
        cta_text="See how",
        offer_page=OfferPage.objects.get(),
        placement=OfferBanner.Placement.DIALOG,
    )
    banner.save()
    publish(banner)
    return live_demo_site


def test_dialog_takes_focus_closes_on_escape_and_stays_dismissed(page, dialog_banner):
    errors = console_errors(page)
    page.goto(dialog_banner + "/about/")
    dialog = page.locator("dialog.offer-banner")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("aria-labelledby", dialog.locator(".offer-banner__headline").get_attribute("id"))
    assert page.evaluate("document.activeElement.closest('dialog') !== null")

    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    assert page.evaluate("document.activeElement.closest('dialog') === null")

    page.reload()
    expect(page.locator("dialog.offer-banner")).to_have_count(0)
    expect(page.get_by_text("One day, one demo")).to_be_hidden()
    assert not errors, errors


def test_close_button_returns_focus_to_where_the_reader_was(page, dialog_banner):
    page.goto(dialog_banner + "/about/")
    page.get_by_role("button", name="Close this offer").click()
    expect(page.locator("dialog.offer-banner")).to_have_count(0)
    assert page.evaluate("document.activeElement === document.body || !document.activeElement.closest('dialog')")


def test_without_javascript_the_dialog_is_an_inline_card(browser, dialog_banner):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(dialog_banner + "/about/")
    card = page.locator("aside.offer-banner--dialog")
    expect(card).to_be_visible()
    expect(card.get_by_role("link", name="See how")).to_be_visible()
    expect(page.locator("dialog")).to_have_count(0)
    context.close()


def test_demo_banner_is_dismissed_on_articles_and_stays_dismissed(page, live_demo_site):
    errors = console_errors(page)
    page.goto(live_demo_site + "/learn/")
    page.locator(".card a, article a[href^='/learn/']").first.click()
    card = page.locator("aside.offer-banner--inline")
    expect(card).to_be_visible()
    card.get_by_role("button", name="Dismiss this offer").click()
    expect(card).to_be_hidden()
    page.reload()
    expect(page.locator("aside.offer-banner--inline")).to_be_hidden()
    assert not errors, errors
