"""A visitor writes to the agency in Debian's chromium: an error first, then the thank-you; axe finds nothing."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from enquiries.models import Enquiry
from tests.browser_fixtures import BrowserProblems, assert_no_sideways_scroll, axe_violations, check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDE = {"width": 1366, "height": 900}


@pytest.fixture
def contact_site(live_demo_site, settings):
    # A person reads before sending; the browser waits this long before each send.
    settings.ENQUIRY_MIN_SECONDS = 1
    return live_demo_site


def scan_both_schemes(page, where):
    found = []
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.evaluate("Promise.all(document.getAnimations().map(animation => animation.finished))")
        found += [f"{where} [{scheme}] {line}" for line in axe_violations(page)]
    return found


def test_visitor_sends_the_contact_form_after_fixing_an_error(page, contact_site, artifacts):
    problems = BrowserProblems(page)
    page.goto(contact_site + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contact").click()
    expect(page.locator("h1")).to_have_text("Contact")

    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("E-mail").fill("ada at example")
    page.get_by_label("Your message").fill("Could you build a site for our bakery?")
    page.wait_for_timeout(1100)
    page.get_by_role("button", name="Send message").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Please check one thing")
    expect(page.locator("#id_e_mail_error")).to_have_text("Enter a valid email address.")
    expect(page.get_by_label("Your message")).to_have_value("Could you build a site for our bakery?")
    assert not Enquiry.objects.exists()
    summary.get_by_role("link").click()
    expect(page).to_have_url(contact_site + "/contact/#field-e_mail")

    page.get_by_label("E-mail").fill("ada@example.com")
    page.get_by_role("button", name="Send message").click()

    expect(page.locator("h1")).to_have_text("Thank you, your message has arrived")
    enquiry = Enquiry.objects.get()
    assert enquiry.form_data["your_message"] == "Could you build a site for our bakery?"
    assert ["hello@brightside.example"] in [message.to for message in mail.outbox]
    assert ["ada@example.com"] in [message.to for message in mail.outbox]
    problems.assert_none("contact journey")


def test_form_pages_with_errors_and_thanks_have_no_violations_and_fit_phones(scan_context, contact_site, artifacts):
    page = scan_context.new_page()
    found = []
    for where, path in [("contact form", "/contact/"), ("quote form", "/request-a-quote/")]:
        page.goto(contact_site + path)
        page.wait_for_timeout(1100)
        page.locator(".enquiry-form button[type=submit]").click()
        expect(page.get_by_role("alert")).to_be_visible()
        found += scan_both_schemes(page, f"{where} with errors")
        name = where.replace(" ", "-")
        check_page(page, f"{name}-errors", artifacts)
        page.set_viewport_size(WIDE)
        page.screenshot(path=artifacts / f"{name}-errors-1366.png", full_page=True)
    page.goto(contact_site + "/contact/")
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("E-mail").fill("ada@example.com")
    page.get_by_label("Your message").fill("Hello")
    page.wait_for_timeout(1100)
    page.get_by_role("button", name="Send message").click()
    expect(page.locator("h1")).to_contain_text("Thank you")
    found += scan_both_schemes(page, "thank-you page")
    page.set_viewport_size({"width": 375, "height": 812})
    assert_no_sideways_scroll(page, "thank-you page")
    page.emulate_media(color_scheme="dark")
    page.goto(contact_site + "/request-a-quote/")
    page.screenshot(path=artifacts / "quote-form-dark-375.png", full_page=True)
    assert not found, "\n".join(found)
