"""Shared factories. Each app adds its own; add, don't rewrite."""

import datetime
from decimal import Decimal

import factory
import wagtail_factories
from django.utils import timezone
from factory.django import DjangoModelFactory
from wagtail.models import Page, Site

from home.models import AgencySettings, ContentPage, HomePage
from learn.models import ArticlePage, LearnIndexPage
from offers.catalogue import workdays
from offers.models import DemoPackage, OfferBanner, OfferPage, OffersIndexPage, Order, RefundPolicy, SlotHold


class HomePageFactory(wagtail_factories.PageFactory):
    title = "Brightside Web Studio"
    slug = "start"
    hero_headline = "A demo website in one workday, for 90 €."
    hero_text = "<p>Keep it in your full project or get your money back.</p>"
    cta_text = "See the offer"
    reasons = factory.LazyFunction(
        lambda: [
            ("reason", {"title": "You see it first", "text": "A working demo by the end of the day."}),
            ("reason", {"title": "A small, fixed price", "text": "90 € and nothing more."}),
            ("reason", {"title": "No risk", "text": "Keep it or get your money back."}),
        ]
    )

    class Meta:
        model = HomePage


class ContentPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Content page {n}")
    intro = "<p>A short introduction to this page.</p>"
    body = factory.LazyFunction(
        lambda: [
            ("heading", {"text": "A section heading", "anchor": ""}),
            ("paragraph", "<p>Some plain words about the agency.</p>"),
        ]
    )

    class Meta:
        model = ContentPage


class AgencySettingsFactory(factory.django.DjangoModelFactory):
    name = "Brightside Web Studio"
    tagline = "Fast, plain websites for small businesses."
    email = "hello@brightside.example"
    phone = "+49 30 1234 5678"
    street_address = "Lindenstraße 12"
    postal_code = "10969"
    city = "Berlin"
    country = "Germany"
    legal_name = "Brightside Web Studio GmbH"
    vat_id = "DE000000000"

    class Meta:
        model = AgencySettings
        django_get_or_create = ("site",)


def make_site_with_home(**home_kwargs):
    """The default Site serving a fresh HomePage (test client requests reach it on any host)."""
    home = HomePageFactory(parent=Page.get_first_root_node(), **home_kwargs)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site.objects.create(hostname="testserver", port=80, root_page=home, is_default_site=True)
    else:
        site.hostname, site.port, site.root_page = "testserver", 80, home
        site.save()
    return site


# Offers


def publish(obj):
    """Publish through a revision, as the admin does, so `live_revision` is set."""
    obj.save_revision().publish()
    obj.refresh_from_db()
    return obj


def publish_or_leave_draft(obj, create, extracted):
    if not create:
        return
    if extracted is False:
        obj.live = False
        obj.save(update_fields=["live"])
    else:
        publish(obj)


def default_site():
    """The default Site with a HomePage at its root (created once per test)."""
    home = HomePage.objects.first()
    if home is None:
        return make_site_with_home()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site.objects.create(hostname="testserver", port=80, root_page=home, is_default_site=True)
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()
    return site


class DemoPackageFactory(DjangoModelFactory):
    """A published, active 90 € one-workday demo; `published=False` leaves it a draft."""

    class Meta:
        model = DemoPackage
        skip_postgeneration_save = True

    name = "One-workday demo website"
    slug = factory.Sequence(lambda n: f"demo-{n}")
    short_description = "A working demo of your new website, made in one day."
    included_items = "Home page\nOne content page\nContact section"
    price = Decimal("90.00")
    currency = "EUR"
    delivery_working_days = 1
    capacity_per_day = 2
    horizon_working_days = 20
    active = True

    @factory.post_generation
    def published(obj, create, extracted, **kwargs):
        publish_or_leave_draft(obj, create, extracted)


class RefundPolicyFactory(DjangoModelFactory):
    class Meta:
        model = RefundPolicy
        skip_postgeneration_save = True

    name = "Money-back guarantee"
    slug = factory.Sequence(lambda n: f"money-back-{n}")
    summary = "Not convinced? Ask within 14 days of delivery and get all your money back."
    full_text = "<p>Ask within 14 days of delivery and we refund the full price.</p>"
    refund_window_days = 14
    refund_percentage = 100
    approval = RefundPolicy.Approval.AUTOMATIC

    @factory.post_generation
    def published(obj, create, extracted, **kwargs):
        publish_or_leave_draft(obj, create, extracted)


class OffersIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = OffersIndexPage

    title = "Offers"
    slug = "offers"


class OfferPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = OfferPage

    title = "A demo website in one workday"
    slug = factory.Sequence(lambda n: f"demo-website-{n}")
    hero_text = "We build a demo of your new website in one working day."
    package = factory.SubFactory(DemoPackageFactory)
    refund_policy = factory.SubFactory(RefundPolicyFactory)


def offer_page(**kwargs):
    """A live offer page under /offers/ of the default site (index created once)."""
    site = default_site()
    index = OffersIndexPage.objects.first() or OffersIndexPageFactory(parent=site.root_page)
    return OfferPageFactory(parent=index, **kwargs)


class OfferBannerFactory(DjangoModelFactory):
    """A published banner shown on all pages; `OfferBannerFactory(published=False)` leaves a draft."""

    class Meta:
        model = OfferBanner
        skip_postgeneration_save = True

    headline = "Wait! See this offer!"
    message = "A demo website in one workday for 90 €."
    cta_text = "See the offer"
    offer_page = factory.LazyFunction(offer_page)
    placement = OfferBanner.Placement.BAR
    targeting = OfferBanner.Targeting.ALL

    @factory.post_generation
    def published(obj, create, extracted, **kwargs):
        publish_or_leave_draft(obj, create, extracted)


def article_body(*, key_points=("First point", "Second point", "Third point"), headings=("What it is",)):
    """Raw StreamField data for an article: a heading, a paragraph and a numbered key-points list per heading."""
    body = []
    for text in headings:
        body.append({"type": "heading", "value": {"text": text, "anchor": ""}})
        body.append({"type": "paragraph", "value": f"<p>Plain words about {text.lower()}.</p>"})
    if key_points:
        items = [{"title": title, "body": f"<p>Why {title.lower()} matters.</p>"} for title in key_points]
        body.append({"type": "key_points", "value": {"heading": "Key points", "items": items}})
    return body


class LearnIndexPageFactory(wagtail_factories.PageFactory):
    title = "Learn"
    slug = "learn"
    intro = "<p>Plain-language explainers about websites.</p>"

    class Meta:
        model = LearnIndexPage


class ArticlePageFactory(wagtail_factories.PageFactory):
    """A published article; pass `topics=["Hosting", ...]` to tag it."""

    title = factory.Sequence(lambda n: f"Explainer number {n}")
    intro = "<p>What this explainer covers, in one sentence.</p>"
    author = "Ada Example"
    date = factory.Sequence(lambda n: datetime.date(2026, 1, 1) + datetime.timedelta(days=n))
    body = factory.LazyFunction(article_body)

    class Meta:
        model = ArticlePage
        skip_postgeneration_save = True

    @factory.post_generation
    def topics(obj, create, extracted, **kwargs):
        if extracted:
            obj.topics.add(*extracted)
            if create:
                obj.save()


class OrderFactory(DjangoModelFactory):
    """A pending order for the next working day; `OrderFactory(paid=True)` is paid with a kept seat.

    Built directly for tests that start from a given state; the purchase path
    itself is tested through the buy form and the Stripe test server.
    """

    class Meta:
        model = Order
        skip_postgeneration_save = True

    package = factory.SubFactory(DemoPackageFactory)
    refund_policy = factory.SubFactory(RefundPolicyFactory)
    package_name = factory.LazyAttribute(lambda o: o.package.name)
    package_price = factory.LazyAttribute(lambda o: o.package.price)
    delivery_working_days = factory.LazyAttribute(lambda o: o.package.delivery_working_days)
    amount = factory.LazyAttribute(lambda o: o.package.price)
    currency = factory.LazyAttribute(lambda o: o.package.currency)
    vat_rate = Decimal("19.00")
    vat_line = "incl. 19 % VAT"
    refund_window_days = factory.LazyAttribute(lambda o: o.refund_policy.refund_window_days)
    refund_percentage = factory.LazyAttribute(lambda o: o.refund_policy.refund_percentage)
    refund_automatic = factory.LazyAttribute(lambda o: o.refund_policy.is_automatic)
    terms_version = "test-terms"
    terms_accepted_at = factory.LazyFunction(timezone.now)
    express_start_requested = True
    express_start_requested_at = factory.LazyFunction(timezone.now)
    customer_name = "Ada Lovelace"
    customer_email = factory.Sequence(lambda n: f"buyer{n}@example.com")
    brief_business = "We build engines that compute."
    brief_goals = "A home page and a contact page."
    slot_date = factory.LazyFunction(lambda: workdays.next_working_day(timezone.now()))
    delivery_deadline = factory.LazyAttribute(
        lambda o: workdays.delivery_deadline(o.slot_date, o.delivery_working_days)
    )
    stripe_session_id = factory.Sequence(lambda n: f"cs_test_factory_{n:06d}")

    class Params:
        paid = factory.Trait(
            status=Order.Status.PAID,
            paid_at=factory.LazyFunction(timezone.now),
            stripe_payment_intent_id=factory.Sequence(lambda n: f"pi_test_factory_{n:06d}"),
        )

    @factory.post_generation
    def seat(obj, create, extracted, **kwargs):
        """A seat on the slot day: kept when paid, held for 32 minutes when pending."""
        if not create or extracted is False:
            return
        taken = set(SlotHold.objects.filter(package=obj.package, date=obj.slot_date).values_list("seat", flat=True))
        free = next(n for n in range(1, 1000) if n not in taken)
        expires_at = None if obj.status != Order.Status.PENDING else timezone.now() + datetime.timedelta(minutes=32)
        SlotHold.objects.create(package=obj.package, date=obj.slot_date, seat=free, order=obj, expires_at=expires_at)
