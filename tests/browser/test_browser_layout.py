"""Every page a visitor or customer sees, at 375 and 1366 px, light and dark: laid out in the site's design.

For each page and state: the main heading and the first paragraph (or list item) keep 16 px
from both edges on a phone and sit inside the page container (the site's
--wide) on a laptop; nothing scrolls sideways; the site stylesheet's custom
properties are set; axe-core finds no WCAG 2.2 AA violation. The order page's
decision is two real buttons of at least 44 px. Screenshots of every page in
every width and scheme land in test-artifacts/pages/ for people to look at.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser_fixtures import ARTICLE_PATH, BUY_PATH, OFFER_PATH, axe_violations, fill_buy_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = {"375": {"width": 375, "height": 812}, "1366": {"width": 1366, "height": 900}}
SCHEMES = ("light", "dark")
EDGE = 16  # px the content keeps from the screen's edges on a phone
MIN_TARGET = 44  # px, the design brief's touch target

LAYOUT_JS = """() => {
  const main = document.querySelector("main");
  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden"
    && !el.closest(".visually-hidden, [hidden], dialog");
  const box = (el) => { if (!el) return null; const r = el.getBoundingClientRect(); return {left: r.left, right: r.right}; };
  const h1 = main && [...main.querySelectorAll("h1")].find(visible);
  const p = main && [...main.querySelectorAll("p, li")].find((el) => visible(el) && el.textContent.trim());
  const wider = [...document.querySelectorAll("body *")].filter((el) => {
    const r = el.getBoundingClientRect();
    return r.right + window.scrollX > window.innerWidth + 1 || el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === "visible" && el.clientWidth > 0;
  }).slice(-4).map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")} ${el.scrollWidth}/${el.clientWidth}`);
  const root = getComputedStyle(document.documentElement);
  return {
    h1: box(h1), p: box(p), wider, inner: window.innerWidth, scroll: document.scrollingElement.scrollWidth,
    wide: parseFloat(root.getPropertyValue("--wide")) * parseFloat(root.fontSize),
    brand: root.getPropertyValue("--brand").trim(),
  };
}"""


def settle(page):
    """Waits until a change of width or scheme is painted and every transition has finished."""
    page.evaluate(
        "() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null)))"
        ".then(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))))"
    )


def layout_problems(page, where, width):
    """What is wrong with the current page's layout at this width, one line each."""
    facts = page.evaluate(LAYOUT_JS)
    found = []
    if not facts["brand"]:
        found.append(f"{where}: the site stylesheet's --brand is not set")
    if facts["scroll"] > facts["inner"]:
        found.append(f"{where}: scrolls sideways, content is {facts['scroll']} px wide: {facts['wider']}")
    if width == "375":
        low, high = EDGE, facts["inner"] - EDGE
    else:
        # Inside the centred page container: --wide wide (74rem), or narrower.
        margin = max((facts["inner"] - (facts["wide"] or 0)) / 2, EDGE)
        low, high = margin - 1, facts["inner"] - margin + 1
    for name in ("h1", "p"):
        box = facts[name]
        if box is None:
            found.append(f"{where}: no visible {name} in <main>")
        elif box["left"] < low or box["right"] > high:
            found.append(
                f"{where}: {name} spans {box['left']:.0f}..{box['right']:.0f} px, outside {low:.0f}..{high:.0f}"
            )
    return found


def check_everywhere(page, name, artifacts, extra=None):
    """Layout, axe and a screenshot of the current page at both widths in both schemes; problems as lines."""
    folder = artifacts / "pages"
    folder.mkdir(exist_ok=True)
    found = []
    for scheme in SCHEMES:
        # Reduced motion: the site then eases no colours, so axe sees the settled scheme.
        page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
        for width, size in WIDTHS.items():
            page.set_viewport_size(size)
            settle(page)
            where = f"{name} [{width} px, {scheme}]"
            found += layout_problems(page, where, width)
            if extra is not None:
                found += [f"{where}: {line}" for line in extra(page)]
            found += [f"{where}: {line}" for line in axe_violations(page)]
            page.screenshot(path=folder / f"{name}-{width}-{scheme}.png", full_page=True)
    page.emulate_media(color_scheme="light", reduced_motion="reduce")
    page.set_viewport_size(WIDTHS["1366"])
    return found


def visit(page, url, name, artifacts, status=200, extra=None):
    response = page.goto(url)
    if response.status != status:
        return [f"{name}: {url} answered {response.status}, not {status}"]
    return check_everywhere(page, name, artifacts, extra)


def decision_buttons(page):
    """The two choices are <button>s, at least 44 px both ways, fully on screen, with the deadline shown."""
    found = []
    buttons = page.locator("main .decision form button")
    if buttons.count() != 2:
        return [f"{buttons.count()} decision buttons, not 2"]
    for i in range(2):
        box = buttons.nth(i).bounding_box()
        if box["width"] < MIN_TARGET or box["height"] < MIN_TARGET:
            found.append(f"decision button {i + 1} is {box['width']:.0f}x{box['height']:.0f} px")
        if box["x"] < 0 or box["x"] + box["width"] > page.viewport_size["width"]:
            found.append(f"decision button {i + 1} leaves the screen")
    if not page.locator("main .decision__deadline").is_visible():
        found.append("the decision deadline is not shown")
    return found


def details_card(page):
    """The order details are a styled definition list, not the browser's default one."""
    details = page.locator("main dl.details")
    if details.count() != 1:
        return ["no order details list"]
    if details.locator("dd").first.evaluate("el => getComputedStyle(el).marginInlineStart") != "0px":
        return ["the order details are an unstyled <dl>"]
    return []


def order_in(package_page, status=None, **fields):
    """A paid order for the demo offer, then put in `status` with `fields` (test set-up, not a transition)."""
    from offers.models import Order
    from tests.factories import OrderFactory

    order = OrderFactory(paid=True, package=package_page.package, refund_policy=package_page.refund_policy)
    if status or fields:
        Order.objects.filter(pk=order.pk).update(**({"status": status} if status else {}), **fields)
        order.refresh_from_db()
    return order


def orders_in_every_state():
    """(name, order) for each state the order page shows differently."""
    from offers.aftercare import guarantee
    from offers.models import OfferPage, Order

    S = Order.Status
    offer = OfferPage.objects.get()
    now = timezone.now()
    deciding = guarantee.deliver(order_in(offer).pk, "https://demo.example/ada/", user=None)
    closed = guarantee.deliver(order_in(offer).pk, "https://demo.example/ada/", user=None, now=now - timedelta(days=40))
    accepted = guarantee.deliver(order_in(offer).pk, "https://demo.example/ada/", user=None)
    accepted, _ = guarantee.accept(accepted.pk)
    return [
        ("paid", order_in(offer)),
        ("in-progress", order_in(offer, S.IN_PROGRESS)),
        ("delivered", deciding),
        ("window-closed", closed),
        ("accepted", accepted),
        ("refund-requested", order_in(offer, S.REFUND_REQUESTED, refund_kind="guarantee", refund_automatic=False)),
        ("refunded", order_in(offer, S.REFUNDED, refund_kind="guarantee", amount_refunded=offer.package.price)),
        ("partially-refunded", order_in(offer, S.PARTIALLY_REFUNDED, amount_refunded=offer.package.price / 2)),
        ("withdrawn", order_in(offer, S.REFUND_REQUESTED, refund_kind="withdrawal", withdrawn_at=now)),
        ("deadline-missed", order_in(offer, delivery_deadline=now - timedelta(hours=2))),
        ("disputed", order_in(offer, S.DISPUTED)),
        ("needs-review", order_in(offer, S.NEEDS_REVIEW)),
    ]


def test_reading_pages_are_laid_out_and_accessible_everywhere(scan_context, shop, artifacts):
    page = scan_context.new_page()
    found = []
    for name, path, status in [
        ("home", "/", 200),
        ("learn-index", "/learn/", 200),
        ("about", "/about/", 200),
        ("offers-index", "/offers/", 200),
        ("offer", OFFER_PATH, 200),
        ("search-hit", "/search/?query=hosting", 200),
        ("search-miss", "/search/?query=zzzyqx", 200),
        ("not-found", "/no-such-page/", 404),
    ]:
        found += visit(page, shop + path, name, artifacts, status)

    # A reader who closed the article's banner still finds the offer at the end of the article.
    page.goto(shop + ARTICLE_PATH)
    page.locator("aside.offer-banner--inline").get_by_role("button", name="Dismiss this offer").click()
    page.reload()
    expect(page.locator("aside.offer-banner--inline")).to_be_hidden()
    closing = page.locator(".article-body > .offer-cta").last
    expect(closing.get_by_role("link", name="See the offer")).to_have_attribute("href", OFFER_PATH)
    found += check_everywhere(page, "article", artifacts)

    page.goto(shop + "/offers/")
    card = page.locator("main .offer-card").first
    expect(card.get_by_role("link", name="See the offer")).to_have_attribute("href", OFFER_PATH)
    expect(card.locator("a.button--buy")).to_be_visible()
    assert not found, "\n".join(found)


def test_every_page_after_the_buy_button_is_laid_out_and_accessible_everywhere(
    scan_context, shop, artifacts, monkeypatch
):
    from offers.checkout import start
    from offers.models import Order
    from tests.guarantee_helpers import page_path

    page = scan_context.new_page()
    found = []

    # Buy, see the offline payment page, pay, read the thank-you page.
    page.goto(shop + BUY_PATH)
    found += check_everywhere(page, "buy-form", artifacts)
    fill_buy_form(page)
    page.locator("button.button--buy").click()
    page.wait_for_url("**/checkout/offline/**")
    found += check_everywhere(page, "offline-payment", artifacts)
    page.locator("button.button--buy").click()
    page.wait_for_url("**/checkout/return/**")
    expect(page.locator("h1")).to_contain_text("Thank you")
    expect(page.get_by_role("main").get_by_role("link", name="Find my order")).to_be_visible()
    found += check_everywhere(page, "thank-you", artifacts)

    # A second buyer leaves the payment page unpaid: the return page says it is being processed.
    page.goto(shop + BUY_PATH)
    fill_buy_form(page, email="grace@example.com")
    page.locator("button.button--buy").click()
    page.wait_for_url("**/checkout/offline/**")
    session_id = page.url.rstrip("/").rsplit("/", 1)[1]
    found += visit(page, f"{shop}/checkout/return/?session_id={session_id}", "payment-processing", artifacts)

    # The payment provider does not answer.
    pending = Order.objects.get(stripe_session_id=session_id)

    def provider_down(*args, **kwargs):
        raise start.PaymentUnavailable(pending)

    monkeypatch.setattr(start, "start_checkout", provider_down)
    page.goto(shop + BUY_PATH)
    fill_buy_form(page, email="hedy@example.com")
    page.locator("button.button--buy").click()
    expect(page.locator("h1")).to_contain_text("Payment is not available")
    found += check_everywhere(page, "payment-unavailable", artifacts)
    monkeypatch.undo()

    # Too many unpaid bookings from one connection (only seats actually held count, so each form is valid).
    for attempt in range(20):
        page.goto(shop + BUY_PATH)
        fill_buy_form(page, email=f"limit{attempt}@example.com")
        page.locator("button.button--buy").click()
        if page.locator("h1").inner_text() == "Please wait a moment":
            break
    expect(page.locator("h1")).to_have_text("Please wait a moment")
    found += check_everywhere(page, "rate-limited", artifacts)

    # The order page in every state, and the confirmation pages.
    orders = dict(orders_in_every_state())
    for name, order in orders.items():
        extra = decision_buttons if name == "delivered" else details_card
        found += visit(page, shop + page_path(order), f"order-{name}", artifacts, extra=extra)
    for name, state, action in [
        ("confirm-accept", "delivered", "accept"),
        ("confirm-refund", "delivered", "refund"),
        ("confirm-withdraw", "paid", "withdraw"),
        ("confirm-claim", "deadline-missed", "claim"),
        ("confirm-nothing", "refunded", "accept"),
    ]:
        found += visit(page, shop + page_path(orders[state]) + action + "/", name, artifacts)

    # Confirming what is no longer possible: the order changed while the page was open.
    page.goto(shop + page_path(orders["delivered"]) + "refund/")
    Order.objects.filter(pk=orders["delivered"].pk).update(status=Order.Status.ACCEPTED)
    page.get_by_role("button", name="Yes, refund me").click()
    expect(page.locator("h1")).to_have_text("That is not possible now")
    found += check_everywhere(page, "not-possible", artifacts)

    # Find my order: the form, its answer, and the answer once asked too often; a broken link.
    found += visit(page, shop + "/orders/resend/", "find-my-order", artifacts)
    page.locator("#id_email").fill("ada@example.com")
    page.get_by_role("button", name="Send me a fresh link").click()
    expect(page.locator("h1")).to_have_text("Check your e-mail")
    found += check_everywhere(page, "find-my-order-sent", artifacts)
    for _ in range(20):
        page.goto(shop + "/orders/resend/")
        page.locator("#id_email").fill("ada@example.com")
        page.get_by_role("button", name="Send me a fresh link").click()
        if page.locator("h1").inner_text() == "Please wait a moment":
            break
    found += check_everywhere(page, "find-my-order-limited", artifacts)
    found += visit(page, shop + "/orders/not-a-real-link/", "link-invalid", artifacts, status=400)
    assert not found, "\n".join(found)


def test_buy_form_errors_are_summarised_at_the_top_with_focus_and_named_beside_each_field(
    scan_context, shop, artifacts
):
    page = scan_context.new_page()
    page.goto(shop + BUY_PATH)
    page.locator("#id_email").fill("not an address")
    page.locator("button.button--buy").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert summary.evaluate("el => el.getBoundingClientRect().top") < page.locator("form fieldset").first.evaluate(
        "el => el.getBoundingClientRect().top"
    )
    links = summary.locator("a")
    assert links.count() == 6  # name, e-mail, business, goals and the two agreements
    for i in range(links.count()):
        target = links.nth(i).get_attribute("href")
        field = page.locator(target)
        expect(field).to_have_attribute("aria-invalid", "true")
        described = field.get_attribute("aria-describedby").split()
        error = page.locator(f"#{target[1:]}_error")
        expect(error).to_be_visible()
        assert f"{target[1:]}_error" in described
        # The error sits beside its field: between the field's label and the next field.
        field_box, error_box = field.bounding_box(), error.bounding_box()
        assert abs(error_box["y"] - field_box["y"]) < 120, target
    expect(page.locator("#id_email_error")).to_contain_text("valid email")
    assert page.locator("#id_email").input_value() == "not an address"
    summary.get_by_role("link", name="Enter a valid email address").click()
    expect(page.locator("#id_email")).to_be_focused()
    expect(page.locator("label[for=id_email]")).to_be_in_viewport()
    found = check_everywhere(page, "buy-form-errors", artifacts)
    assert not found, "\n".join(found)
