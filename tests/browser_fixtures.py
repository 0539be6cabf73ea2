"""What the browser tests share: page checks, the axe-core scan, keyboard moves, and the live shop fixture.

The browser itself (Debian's chromium), the live server with the demo content
(`live_demo_site`) and the artifacts folder are fixtures in tests/conftest.py.
"""

from pathlib import Path

import pytest

AXE_JS = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
OFFER_PATH = "/offers/demo-website/"
BUY_PATH = OFFER_PATH + "buy/"
ARTICLE_PATH = "/learn/back-end-development/"


class BrowserProblems:
    """Console errors (CSP refusals show up there) and uncaught exceptions of one page.

    A page answered with an error status on purpose (a form with errors is a
    400) is not a problem; a failing script, style or image on it is.
    """

    def __init__(self, page):
        self.messages = []
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.messages.append(f"uncaught: {error}"))

    def _console(self, page, message):
        if message.type != "error":
            return
        if message.text.startswith("Failed to load resource") and message.location.get("url") == page.url:
            return
        self.messages.append(f"{page.url}: {message.text}")

    def assert_none(self, where):
        assert not self.messages, f"{where}: {self.messages}"


def assert_no_sideways_scroll(page, where):
    widths = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{where} scrolls sideways at {widths[1]} px: content is {widths[0]} px wide"


def check_page(page, name, artifacts):
    """Desktop and phone screenshots of the current page, and no sideways scroll on the phone."""
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=artifacts / f"{name}-desktop.png", full_page=True)
    page.set_viewport_size(PHONE)
    assert_no_sideways_scroll(page, name)
    page.screenshot(path=artifacts / f"{name}-375.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def axe_violations(page):
    """axe-core's WCAG 2.2 AA violations on the current page, one readable line each, no rule disabled.

    The page must come from a context with bypass_csp=True: Playwright injects
    the scanner as an inline script, which the site's policy rightly refuses.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(f"{node['target']} {node.get('failureSummary', '')}" for node in v["nodes"][:5])
        for v in results["violations"]
    ]


def tab_to(page, selector, limit=80, backwards=False):
    """Presses Tab (or Shift+Tab) until the focused element matches selector; fails after `limit` presses."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never received focus after {limit} presses of {key}")


@pytest.fixture
def shop(live_demo_site, settings):
    """The demo site as a shop in offline payment mode, its links pointing back at the live server."""
    settings.STRIPE_OFFLINE = True
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    settings.SITE_BASE_URL = live_demo_site
    return live_demo_site


@pytest.fixture
def scan_context(browser):
    """A browser context that lets Playwright inject axe-core past the site's CSP."""
    if not AXE_JS.exists():
        from tests.conftest import missing_service

        missing_service(
            "needs axe-core from npm (node_modules/axe-core): run `npm ci`, or `make test` with npm installed"
        )
    context = browser.new_context(bypass_csp=True, viewport=DESKTOP)
    yield context
    context.close()


def fill_buy_form(page, **overrides):
    """Types the buyer of tests/checkout_helpers.py into the buy form and ticks both agreements."""
    from tests.checkout_helpers import BUYER

    buyer = {**BUYER, **overrides}
    for field in ("name", "email", "company", "brief_business", "brief_existing_site", "brief_goals", "brief_style"):
        page.locator(f"#id_{field}").fill(buyer[field])
    for box in ("accept_terms", "express_start"):
        page.locator(f"#id_{box}").check()


def buy_and_pay(page, site):
    """Buys the demo offer through the form and the offline payment page; returns the paid Order."""
    from tests.checkout_helpers import only_order

    page.goto(site + BUY_PATH)
    fill_buy_form(page)
    page.locator("button.button--buy").click()
    page.wait_for_url("**/checkout/offline/**")
    page.locator("button.button--buy").click()
    page.wait_for_url("**/checkout/return/**")
    return only_order()


def bar_banner(headline, published=True):
    """A slim-bar banner on every page for the demo offer: published now, or only a draft revision."""
    from offers.models import OfferBanner, OfferPage
    from tests.factories import publish

    banner = OfferBanner(
        headline=headline,
        cta_text="See the dates",
        offer_page=OfferPage.objects.get(),
        placement=OfferBanner.Placement.BAR,
        targeting=OfferBanner.Targeting.ALL,
        live=published,
    )
    banner.save()
    if published:
        publish(banner)
    else:
        banner.save_revision()
    return banner
