"""Starting a purchase: hold a seat, create the pending order, open a Stripe Checkout Session.

Everything that costs money is read from the database here, never from the
request. The seat is taken in one transaction that first deletes the day's
expired holds; the unique (package, date, seat) constraint makes concurrent
buyers safe on both databases. The Stripe call happens after that commit, so
a slow or failing Stripe never holds a database lock. When Stripe fails or
its time budget runs out (stripe_client.Budget), the order expires and its seat
goes back at once: no payment can follow, because the buyer never got a
payment page, and a retry is a new order under new keys.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from offers.catalogue import availability, workdays
from offers.catalogue.vat import agency_vat
from offers.checkout import tax_rate
from offers.models.catalogue import DemoPackage
from offers.models.orders import Order, SlotHold
from offers.orders import emails, transitions
from offers.payments import stripe_client

logger = logging.getLogger(__name__)

# Stripe refuses an expires_at less than 30 minutes after the request arrives.
SESSION_LIFETIME = timedelta(minutes=32)
# A stored expires_at is resent unchanged only while Stripe would still accept it.
MIN_LIFETIME_LEFT = timedelta(minutes=30, seconds=30)
# Cards only (and the wallets built on them): the seat is a booked workday, so the payment must be settled
# when the buyer returns. Delayed methods (SEPA debit, bank transfers) settle days later and could fail
# after the work was done; a completed session that is not paid alerts staff (apply_session.fulfil).
IMMEDIATE_PAYMENT_METHODS = ["card"]
# Seats one visitor (network address) and one e-mail address may hold without
# paying at once: enough for a retry or two, too few to keep the calendar full.
UNPAID_HOLDS_PER_VISITOR = 3
UNPAID_HOLDS_PER_EMAIL = 2
ALERT_EVERY = 60 * 60  # seconds between two alerts about piling holds, per package


class CheckoutError(Exception):
    pass


class NotPurchasable(CheckoutError):
    """The offer cannot be bought now (inactive package, no policy, payments not configured)."""


class NoFreeSeat(CheckoutError):
    def __init__(self, next_free_slot=None):
        super().__init__("no free seat")
        self.next_free_slot = next_free_slot


class TooManyHolds(CheckoutError):
    """This visitor or e-mail address already holds enough unpaid seats; more come free at `retry_at`."""

    def __init__(self, retry_at):
        super().__init__("too many unpaid holds")
        self.retry_at = retry_at


class PaymentUnavailable(CheckoutError):
    """Stripe could not open a Checkout Session; no payment was taken and the seat was released."""

    def __init__(self, order):
        super().__init__(f"payment provider unavailable for {order.reference if order else 'a new order'}")
        self.order = order


@dataclass
class Buyer:
    name: str
    email: str
    brief_business: str
    brief_goals: str
    express_start: bool
    terms_accepted: bool
    company: str = ""
    brief_existing_site: str = ""
    brief_style: str = ""
    source_page: str = ""
    banner_id: int | None = None
    visitor_key: str = ""  # config.client_address.visitor_key: who is holding, without the address
    own_orders: tuple[int, ...] = ()  # orders this browser started (its signed checkout marker)


@dataclass(frozen=True)
class Started:
    order: Order
    url: str  # the Checkout Session to send the buyer to


def purchasable(offer_page):
    package, policy = offer_page.package, offer_page.refund_policy
    return (
        bool(package is not None and package.active and package.live and policy is not None and policy.live)
        and stripe_client.is_configured()
        and not tax_rate.known_problem(agency_vat(site=offer_page.get_site()))
    )


def terms_version(site=None):
    """The accepted terms of sale: the live revision of the terms page named in the agency settings."""
    try:
        model = apps.get_model("home", "AgencySettings")
        site = site or Site.objects.filter(is_default_site=True).first()
        terms_page = getattr(model.for_site(site), "terms_page", None) if site else None
    except LookupError:
        terms_page = None
    if terms_page is not None and terms_page.live_revision_id:
        return f"terms-page-revision-{terms_page.live_revision_id}"
    return getattr(settings, "TERMS_OF_SALE_VERSION", "terms-unversioned")


def start_checkout(offer_page, buyer: Buyer, now=None) -> Started:
    """The pending order with a held seat, and the Checkout Session URL to send the buyer to (303).

    A second submission from the same browser for the same package while its
    order is pending reuses that order and its session. Never by e-mail alone:
    whoever types somebody else's address must not land in their checkout.
    """
    if not buyer.terms_accepted or not buyer.express_start:
        raise NotPurchasable("the terms and the express-start request must be accepted")
    if not purchasable(offer_page):
        raise NotPurchasable("this offer cannot be bought now")
    try:
        if tax_rate.problem(agency_vat(site=offer_page.get_site())):
            raise NotPurchasable("the Stripe tax rate does not fit the VAT the page states")
    except stripe_client.PaymentProviderError as exc:
        raise PaymentUnavailable(None) from exc
    now = now or timezone.now()
    order = reusable_order(offer_page.package, buyer.email, now, buyer.own_orders)
    if order is None:
        order = hold_seat_and_create_order(offer_page, buyer, now)
    return Started(order, open_session(order, offer_page, now))


def reusable_order(package, email, now, own_orders=()):
    """This browser's pending order for this package and e-mail whose seat is still held, if any."""
    if not own_orders:
        return None
    return (
        Order.objects.filter(
            pk__in=own_orders,
            package=package,
            customer_email__iexact=email,
            status=Order.Status.PENDING,
            slot_hold__expires_at__gt=now + timedelta(minutes=1),
        )
        .order_by("-created_at")
        .first()
    )


def _first_free_seat(package, day, now, unpaid=True):
    """The free seats of `day`, lowest first, inside the caller's transaction; none when full.

    An unpaid hold is refused too once the day has as many unpaid holds as
    availability.unpaid_hold_limit() allows (a paid order taking its seat back is not).
    """
    SlotHold.objects.filter(package=package, date=day, expires_at__lte=now).delete()
    holds = list(SlotHold.objects.filter(package=package, date=day).values_list("seat", "expires_at"))
    if unpaid and sum(1 for _seat, expires in holds if expires) >= availability.unpaid_hold_limit(package):
        return []
    taken = {seat for seat, _expires in holds}
    return [seat for seat in range(1, package.capacity_per_day + 1) if seat not in taken]


def take_seat(order, day, expires_at, now):
    """A SlotHold for `order` on `day`, or None when the day is full. Safe against concurrent buyers."""
    for seat in _first_free_seat(order.package, day, now, expires_at is not None):
        try:
            with transaction.atomic():
                return SlotHold.objects.create(
                    package=order.package, date=day, seat=seat, order=order, expires_at=expires_at
                )
        except IntegrityError:
            continue  # another buyer took this seat a moment ago
    return None


def sold_as(package, policy) -> dict:
    """The order fields that record what was sold, copied from the package and refund policy as they are now."""
    return {
        "package": package,
        "refund_policy": policy,
        "package_name": package.name,
        "package_price": package.price,
        "delivery_working_days": package.delivery_working_days,
        "amount": package.price,
        "currency": package.currency,
        "refund_window_days": policy.refund_window_days,
        "refund_percentage": policy.refund_percentage,
        "refund_automatic": policy.is_automatic,
    }


def hold_seat_and_create_order(offer_page, buyer, now):
    package, policy = offer_page.package, offer_page.refund_policy
    calendar = workdays.get_calendar()
    days = calendar.next_working_days(now, package.horizon_working_days)
    expires_at = now + SESSION_LIFETIME
    vat = agency_vat(site=offer_page.get_site())
    with transaction.atomic():
        _lock_package(package)
        refuse_too_many_holds(buyer, now)
        order = Order.objects.create(
            **sold_as(package, policy),
            offer_page=offer_page,
            vat_rate=0 if vat.exempt else vat.rate,
            vat_exempt=vat.exempt,
            vat_line=vat.line,
            offer_page_revision_id=offer_page.live_revision_id,
            package_revision_id=package.live_revision_id,
            refund_policy_revision_id=policy.live_revision_id,
            terms_version=terms_version(offer_page.get_site()),
            terms_accepted_at=now,
            express_start_requested=True,
            express_start_requested_at=now,
            customer_name=buyer.name,
            customer_email=buyer.email,
            company=buyer.company,
            brief_business=buyer.brief_business,
            brief_existing_site=buyer.brief_existing_site,
            brief_goals=buyer.brief_goals,
            brief_style=buyer.brief_style,
            source_page=buyer.source_page[:300],
            visitor_key=buyer.visitor_key,
            banner_id=buyer.banner_id,
            slot_date=days[0] if days else now.date(),
            delivery_deadline=now,
            session_expires_at=expires_at,
            created_at=now,
        )
        hold = None
        for day in days:
            hold = take_seat(order, day, expires_at, now)
            if hold is not None:
                break
        if hold is None:
            raise NoFreeSeat(next_free_slot=None)
        order.slot_date = hold.date
        order.delivery_deadline = calendar.delivery_deadline(hold.date, package.delivery_working_days)
        order.save(update_fields=["slot_date", "delivery_deadline"])
        transitions.record_created(order, now=now)
    logger.info("seat held", extra={"order": order.reference, "slot_date": str(order.slot_date)})
    alert_when_holds_pile_up(order, now)
    return order


def _lock_package(package):
    """One new hold per package at a time until commit, so the holds counted stay true for the hold made.

    A row lock on PostgreSQL; SQLite's IMMEDIATE transactions serialise writers anyway.
    """
    DemoPackage.objects.select_for_update().filter(pk=package.pk).exists()


def _unpaid_holds(now):
    return SlotHold.objects.filter(expires_at__gt=now, order__status=Order.Status.PENDING)


def refuse_too_many_holds(buyer, now):
    """Raises TooManyHolds when this visitor or e-mail address already holds its share of unpaid seats."""
    limits = [(_unpaid_holds(now).filter(order__customer_email__iexact=buyer.email), UNPAID_HOLDS_PER_EMAIL)]
    if buyer.visitor_key:
        limits.append((_unpaid_holds(now).filter(order__visitor_key=buyer.visitor_key), UNPAID_HOLDS_PER_VISITOR))
    for holds, limit in limits:
        expiries = sorted(holds.values_list("expires_at", flat=True))
        if len(expiries) >= limit:
            # The earliest moment one of them lapses and a new hold would be allowed.
            raise TooManyHolds(retry_at=expiries[len(expiries) - limit])


def alert_when_holds_pile_up(order, now):
    """Tells staff (at most once an hour per package) when many seats are held without payment."""
    held = _unpaid_holds(now).filter(package=order.package_id).count()
    if held < settings.UNPAID_HOLDS_ALERT:
        return
    if not cache.add(f"unpaid-holds-alert:{order.package_id}", 1, ALERT_EVERY):
        return
    logger.warning("unpaid holds piling up", extra={"package": order.package_id, "held": held})
    reason = (
        f"{held} seats of {order.package_name} are held by checkouts not paid yet. "
        "If they lapse unpaid again and again, someone may be blocking the calendar: "
        "check the pending orders (same address, same e-mail patterns)."
    )
    order_id = order.pk
    transaction.on_commit(lambda: emails.send_staff_alert.enqueue(order_id, "Unpaid holds are piling up", reason))


def session_params(order, offer_page):
    """The Checkout Session for `order`: price from the order (the database), never from the request."""
    return_url = settings.SITE_BASE_URL + reverse("checkout_return") + "?session_id={CHECKOUT_SESSION_ID}"
    page_path = offer_page.get_url_parts()[2] if offer_page.get_url_parts() else "/"
    line_item = {
        "quantity": 1,
        "price_data": {
            "currency": order.currency.lower(),
            "unit_amount": order.amount_minor_units,
            "product_data": {
                "name": order.package_name,
                "description": f"Work starts {order.slot_date.isoformat()}; order {order.reference}",
            },
        },
    }
    invoice_data = {"metadata": {"order_reference": order.reference}}
    if order.vat_exempt:
        invoice_data["footer"] = order.vat_line
    elif settings.STRIPE_TAX_RATE_ID:
        line_item["tax_rates"] = [settings.STRIPE_TAX_RATE_ID]
    # Events find the order by the session id, or by this random token: never by the reference, which
    # another database on the same Stripe account (a restored backup, staging) may have used too.
    metadata = {"order_reference": order.reference, "order_token": str(order.payment_token)}
    return {
        "mode": "payment",
        "line_items": [line_item],
        "customer_email": order.customer_email,
        "client_reference_id": order.reference,
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata, "description": f"{order.package_name} ({order.reference})"},
        "allowed_payment_method_types": IMMEDIATE_PAYMENT_METHODS,
        "invoice_creation": {"enabled": True, "invoice_data": invoice_data},
        "billing_address_collection": "required",
        "tax_id_collection": {"enabled": True},
        "success_url": return_url,
        "cancel_url": settings.SITE_BASE_URL + page_path + "?cancelled=1",
        "expires_at": int(order.session_expires_at.timestamp()),
    }


def open_session(order, offer_page, now):
    """Creates (or, for the same attempt, re-fetches by idempotency key) the order's Checkout Session."""
    if order.stripe_session_url:
        return order.stripe_session_url
    if order.session_expires_at - now < MIN_LIFETIME_LEFT:
        # Stripe would refuse the stored expiry: a new attempt gets a new key and a new expiry.
        order.checkout_attempt += 1
        order.session_expires_at = now + SESSION_LIFETIME
        order.save(update_fields=["checkout_attempt", "session_expires_at"])
        SlotHold.objects.filter(order=order, expires_at__isnull=False).update(expires_at=order.session_expires_at)
    key = stripe_client.idempotency_key(order, "checkout-session", order.checkout_attempt)
    try:
        session = stripe_client.create_checkout_session(session_params(order, offer_page), key)
    except stripe_client.PaymentProviderError as exc:
        logger.error(
            "checkout session failed", extra={"order": order.reference, "error": str(exc), "stripe_code": exc.code}
        )
        release_seat(order)
        raise PaymentUnavailable(order) from exc
    Order.objects.filter(pk=order.pk).update(stripe_session_id=session["id"], stripe_session_url=session["url"])
    order.stripe_session_id, order.stripe_session_url = session["id"], session["url"]
    logger.info("checkout session created", extra={"order": order.reference, "session": session["id"]})
    return session["url"]


def release_seat(order):
    """Stripe opened no session: the order expires and its seat is free for the next buyer at once."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status == Order.Status.PENDING and not locked.stripe_session_id:
            transitions.move(
                locked,
                Order.Status.EXPIRED,
                trigger="payment_unavailable",
                reason="Stripe did not open a Checkout Session in time; no payment was taken",
            )
            SlotHold.objects.filter(order=locked).delete()
    order.status = locked.status
    logger.info("seat released", extra={"order": order.reference})
