"""Demo content for offers: the one-workday demo package, the money-back policy, /offers/ and a banner,
plus a few invented orders and banner clicks so the admin's sales panel and banner funnel show figures.

`load(site)` is idempotent: everything is looked up by slug (or headline) and
left alone when it exists, so a second run changes nothing.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from wagtail.models import Page

from offers.aftercare import refunds
from offers.catalogue import workdays
from offers.checkout import start as checkout
from offers.models.banners import BannerSection, OfferBanner
from offers.models.calendar import WorkingCalendar
from offers.models.catalogue import DemoPackage, RefundPolicy
from offers.models.funnel import BannerClickDay
from offers.models.orders import Order
from offers.models.pages import OfferPage, OffersIndexPage
from offers.models.refunds import Refund
from offers.orders import transitions

PACKAGE_SLUG = "one-workday-demo"
POLICY_SLUG = "money-back"
OFFER_SLUG = "demo-website"
BANNER_HEADLINE = "Wait! See this offer!"

# Public holidays in Berlin the agency closes for.
HOLIDAYS = [
    (date(2026, 12, 24), "Christmas Eve"),
    (date(2026, 12, 25), "Christmas Day"),
    (date(2026, 12, 26), "Boxing Day"),
    (date(2026, 12, 31), "New Year's Eve"),
    (date(2027, 1, 1), "New Year's Day"),
    (date(2027, 3, 8), "International Women's Day"),
    (date(2027, 3, 26), "Good Friday"),
    (date(2027, 3, 29), "Easter Monday"),
    (date(2027, 5, 1), "Labour Day"),
    (date(2027, 5, 6), "Ascension Day"),
    (date(2027, 5, 17), "Whit Monday"),
    (date(2027, 10, 3), "German Unity Day"),
]

PACKAGE = {
    "name": "Demo website in one workday",
    "short_description": "A working demo of your new website, built by us in one working day.",
    "included_items": "\n".join(
        [
            "A home page and up to two inner pages with your own words",
            "Your logo, colours and up to ten of your photos",
            "Works on phones, tablets and desktops",
            "A private web address to click through and share",
            "A 20-minute call to walk you through it",
        ]
    ),
    "price": Decimal("90.00"),
    "currency": "EUR",
    "delivery_working_days": 1,
    "credited_toward_full_site": True,
    "active": True,
    "capacity_per_day": 2,
    "horizon_working_days": 20,
}

POLICY = {
    "name": "Money-back guarantee",
    "summary": "Not convinced by your demo? Tell us within 14 days of delivery and you get the full 90 € back.",
    "full_text": (
        "<h2>What we promise</h2>"
        "<p>If the demo website we build for you does not convince you, you get the full price back. "
        "You don't have to give a reason.</p>"
        "<h2>How to ask</h2>"
        "<p>Use the link in your order confirmation, or reply to any of our e-mails, within 14 calendar days "
        "after we deliver the demo. The refund goes back to the card you paid with; your bank usually shows it "
        "within five to ten days.</p>"
        "<h2>What happens to the demo</h2>"
        "<p>When you take the refund, we take the demo offline and delete your texts and pictures within 30 days.</p>"
        "<h2>Your legal rights</h2>"
        "<p>This guarantee comes on top of your statutory rights, including the right of withdrawal described in "
        "our terms of sale.</p>"
    ),
    "refund_window_days": 14,
    "refund_percentage": 100,
    "approval": RefundPolicy.Approval.AUTOMATIC,
}

OFFER_BODY = [
    (
        "steps",
        {
            "heading": "How it works",
            "steps": [
                {
                    "title": "Book a day",
                    "text": "Pick the next free slot, pay 90 € and tell us about your business in a short form.",
                },
                {
                    "title": "We build your demo",
                    "text": "On your day we design and build it. By the end of our working day it is online.",
                },
                {
                    "title": "You decide",
                    "text": "Like it? It becomes the start of your full website. Don't? You get your money back.",
                },
            ],
        },
    ),
    ("included", {"heading": "What you get"}),
    (
        "faq",
        {
            "heading": "Questions people ask",
            "items": [
                {
                    "question": "Is the demo a real website?",
                    "answer": "<p>Yes. It runs on a private web address, so you can open it on your phone and "
                    "show it to others. It is not indexed by search engines until you decide to go ahead.</p>",
                },
                {
                    "question": "What do you need from me?",
                    "answer": "<p>A few sentences about what you do, your logo if you have one, and some photos. "
                    "If you have an existing site, its address is enough for us to start.</p>",
                },
                {
                    "question": "What if I want the full website?",
                    "answer": "<p>We send you a written quote for the full project. The 90 € you paid for the "
                    "demo are taken off that price.</p>",
                },
                {
                    "question": "How do I get my money back?",
                    "answer": "<p>Ask within 14 days after delivery, with the link in your confirmation e-mail. "
                    "No reason needed; the refund goes back to your card.</p>",
                },
                {
                    "question": "Why is it so cheap?",
                    "answer": "<p>Because it is a demo: a day of focused work, not a finished site. It lets you "
                    "judge our work before you spend more.</p>",
                },
            ],
        },
    ),
]


def _publish(obj):
    obj.save_revision().publish()
    return obj


def _calendar(site):
    calendar = WorkingCalendar.for_site(site)
    if not calendar.holidays.exists():
        for day, name in HOLIDAYS:
            calendar.holidays.create(date=day, name=name)
    return calendar


def _package():
    package = DemoPackage.objects.filter(slug=PACKAGE_SLUG).first()
    if package is None:
        package = DemoPackage(slug=PACKAGE_SLUG, **PACKAGE)
        package.full_clean()
        package.save()
        _publish(package)
    return package


def _policy():
    policy = RefundPolicy.objects.filter(slug=POLICY_SLUG).first()
    if policy is None:
        policy = RefundPolicy(slug=POLICY_SLUG, **POLICY)
        policy.full_clean()
        policy.save()
        _publish(policy)
    return policy


def _child(parent, model, slug, **fields):
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = parent.add_child(instance=model(slug=slug, **fields))
        _publish(page)
    return page


def _banner(offer, site):
    banner = OfferBanner.objects.filter(headline=BANNER_HEADLINE).first()
    if banner is not None:
        return banner
    learn = Page.objects.child_of(site.root_page).filter(slug="learn").first()
    banner = OfferBanner(
        headline=BANNER_HEADLINE,
        message="Before you read on: we build you a demo website in one workday for 90 €. Keep it or get your money back.",
        cta_text="See the demo offer",
        offer_page=offer,
        style=OfferBanner.Style.ACCENT,
        placement=OfferBanner.Placement.INLINE,
        targeting=OfferBanner.Targeting.SECTIONS if learn else OfferBanner.Targeting.ALL,
        priority=10,
    )
    if learn:
        banner.sections.add(BannerSection(page=learn))
    banner.save()
    return _publish(banner)


def load(site):
    """Create the demo offer on `site` once; return its OfferPage."""
    _calendar(site)
    package = _package()
    policy = _policy()
    index = _child(
        site.root_page,
        OffersIndexPage,
        "offers",
        title="Offers",
        intro="<p>Fixed prices, clear terms, and a guarantee on every offer.</p>",
        search_description="Fixed-price offers from Brightside Web Studio, starting with a one-day demo website.",
    )
    offer = _child(
        index,
        OfferPage,
        OFFER_SLUG,
        title="A demo website in one workday",
        hero_text=(
            "Get a demo website that we make for you in one workday for 90 €. If you like it, it becomes part "
            "of your full website and the 90 € are credited. If you don't, you get your money back."
        ),
        search_description="A working demo of your new website in one workday for 90 €, with a money-back guarantee.",
        package=package,
        refund_policy=policy,
        body=OFFER_BODY,
    )
    banner = _banner(offer, site)
    _demo_sales(offer, banner)
    home = site.root_page.specific
    if hasattr(home, "featured_offer") and home.featured_offer_id is None:
        home.featured_offer = offer
        _publish(home)
    return offer


# Invented sales: every order below is marked with this terms version and an example.com buyer,
# so nobody mistakes it for a real one (and a privacy purge or report can leave them out by it).
DEMO_TERMS_VERSION = "demo-data"
S = Order.Status
# (days before loading, came through the banner, what became of it)
DEMO_ORDERS = [
    (75, True, S.ACCEPTED),
    (61, False, S.ACCEPTED),
    (46, True, S.REFUNDED),
    (33, True, S.ACCEPTED),
    (24, False, S.EXPIRED),
    (19, True, S.DELIVERED),
    (10, True, S.EXPIRED),
    (8, True, S.DELIVERED),
    (4, False, S.DELIVERED),
]
DEMO_CLICK_DAYS = 80


def _at(day, hour):
    return datetime.combine(day, time(hour), tzinfo=timezone.get_default_timezone())


def _demo_order(number, days_ago, via_banner, outcome, offer, banner, today):
    """One invented order, moved through the state table so its history reads like a real one's."""
    package, policy = offer.package, offer.refund_policy
    ordered_on = today - timedelta(days=days_ago)
    created = _at(ordered_on, 10)
    slot = workdays.next_working_day(created)
    order = Order.objects.create(
        **checkout.sold_as(package, policy),
        status=S.PENDING,
        offer_page=offer,
        vat_rate=Decimal("19.00"),
        vat_line="incl. 19 % VAT",
        terms_version=DEMO_TERMS_VERSION,
        terms_accepted_at=created,
        customer_name=f"Demo Buyer {number} (invented)",
        customer_email=f"demo.buyer{number}@example.com",
        brief_business="An invented business: this order is demo data.",
        brief_goals="None: this order only fills the sales panel of the demo site.",
        banner=banner if via_banner else None,
        slot_date=slot,
        delivery_deadline=workdays.delivery_deadline(slot, package.delivery_working_days),
        stripe_session_id=f"cs_demo_{number:03d}",
        created_at=created,
    )
    transitions.record_created(order, reason="demo data", now=created)
    if outcome == S.EXPIRED:
        transitions.move(
            order, S.EXPIRED, trigger="session_expired", reason="demo data", now=created + timedelta(minutes=30)
        )
        return order
    order.stripe_payment_intent_id = f"pi_demo_{number:03d}"
    order.save(update_fields=["stripe_payment_intent_id"])
    transitions.move(order, S.PAID, trigger="payment_received", reason="demo data", now=created + timedelta(minutes=4))
    # Never in the future, even when the next working day after the order is today or later.
    delivered = min(_at(slot, 16), timezone.now() - timedelta(hours=1))
    transitions.move(
        order, S.IN_PROGRESS, trigger="staff_start", reason="demo data", now=delivered - timedelta(hours=6)
    )
    order.demo_url = f"https://demo-{number}.example.com/"
    order.delivered_at = delivered
    order.refund_deadline = refunds.refund_deadline(delivered, order.refund_window_days)
    order.save(update_fields=["demo_url", "delivered_at", "refund_deadline"])
    transitions.move(order, S.DELIVERED, trigger="staff_deliver", reason="demo data", now=delivered)
    if outcome == S.ACCEPTED:
        order.accepted_at = delivered + timedelta(days=3)
        order.save(update_fields=["accepted_at"])
        transitions.move(order, S.ACCEPTED, trigger="customer_accept", reason="demo data", now=order.accepted_at)
    elif outcome == S.REFUNDED:
        asked = delivered + timedelta(days=5)
        order.refund_kind, order.refund_requested_at, order.refund_amount = refunds.GUARANTEE, asked, order.amount
        order.save(update_fields=["refund_kind", "refund_requested_at", "refund_amount"])
        transitions.move(order, S.REFUND_REQUESTED, trigger="customer_refund", reason="demo data", now=asked)
        Refund.objects.create(
            order=order,
            stripe_refund_id=f"re_demo_{number:03d}",
            amount=order.amount,
            currency=order.currency,
            status="succeeded",
            kind=refunds.GUARANTEE,
            created_at=asked + timedelta(minutes=1),
        )
        order.amount_refunded = order.amount
        order.save(update_fields=["amount_refunded"])
        transitions.move(
            order, S.REFUNDED, trigger="refund_succeeded", reason="demo data", now=asked + timedelta(minutes=2)
        )
    return order


def _demo_sales(offer, banner):
    """Invented orders and banner clicks over the last weeks, once: figures for the sales panel and funnel."""
    if Order.objects.filter(terms_version=DEMO_TERMS_VERSION).exists():
        return
    today = timezone.localdate()
    for number, (days_ago, via_banner, outcome) in enumerate(DEMO_ORDERS, start=1):
        _demo_order(number, days_ago, via_banner, outcome, offer, banner, today)
    BannerClickDay.objects.bulk_create(
        [
            BannerClickDay(banner=banner, day=today - timedelta(days=back), clicks=2 + (back * 7) % 9)
            for back in range(DEMO_CLICK_DAYS)
        ],
        ignore_conflicts=True,
    )
