"""What an offer page shows about its offer, worked out from its package, policy, the settings and the calendar.

The offer page, the offers index, the call-to-action block, the banner and the
availability endpoint all read an offer through `summarise()`; OffersConfig.ready()
plugs it into OfferPage (models import no services).
"""

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from config import page_cache
from offers.catalogue import availability as seats
from offers.catalogue import workdays
from offers.catalogue.vat import agency_vat
from offers.models.catalogue import DemoPackage, RefundPolicy
from offers.payments import stripe_client


@dataclass(frozen=True)
class OfferSummary:
    """What any page shows about an offer: all of it read from the package, policy, settings and calendar."""

    page: "OfferPage"  # noqa: F821 (offers.models.pages.OfferPage; the page module cannot be imported here)
    package: DemoPackage | None
    policy: RefundPolicy | None
    vat_line: str
    availability: seats.Availability | None

    @property
    def price_display(self):
        return self.package.price_display if self.package else ""

    @property
    def delivery_text(self):
        return self.package.delivery_text if self.package else ""

    @property
    def next_free_slot(self):
        return self.availability.next_free_slot if self.availability else None

    @property
    def next_free_slot_text(self):
        slot = self.next_free_slot
        return seats.format_day(slot) if slot else ""

    @property
    def closed_reason(self):
        """Why the offer is not on sale at all, whatever the free seats (empty when it is on sale)."""
        if self.package is None or self.policy is None or not self.package.live or not self.policy.live:
            return "This offer is not on sale yet."
        if not self.package.active:
            return "This package is not on sale at the moment."
        if not stripe_client.is_configured():
            return "Online booking is not open at the moment. Please write to us to book."
        return ""

    @property
    def on_sale(self):
        return not self.closed_reason

    @property
    def unavailable_reason(self):
        if self.closed_reason:
            return self.closed_reason
        if self.availability is not None and self.availability.held_until:
            # Seats held by checkouts in progress come back when unpaid: not "fully booked".
            at = timezone.localtime(self.availability.held_until)
            return (
                "Every free seat is held by someone paying right now. "
                f"Please try again after {at:%H:%M}: unpaid seats are released then."
            )
        if self.availability is None or self.availability.fully_booked:
            days = self.package.horizon_working_days
            return f"We are fully booked for the next {days} working days. Please check back in a few days."
        return ""

    @property
    def can_buy(self):
        return not self.unavailable_reason

    @property
    def schema_availability(self):
        if self.package is None or not self.package.active or not self.package.live:
            return "https://schema.org/Discontinued"
        return "https://schema.org/InStock" if self.can_buy else "https://schema.org/SoldOut"

    @property
    def like_it_text(self):
        if self.package and self.package.credited_toward_full_site:
            return f"Like it? The {self.price_display} are credited toward your full website."
        return "Like it? The demo is yours to keep and build on."

    @property
    def dont_like_it_text(self):
        if self.policy is None:
            return ""
        return f"Don't like it? You get {self.policy.refund_text}."

    @property
    def buy_url(self):
        return self.page.url + "buy/" if self.page.url else ""

    @property
    def availability_message(self):
        """The next free slot in one sentence, or why the offer cannot be bought now."""
        return f"Next free slot: {self.next_free_slot_text}" if self.can_buy else self.unavailable_reason

    @property
    def availability_url(self):
        """Where the current availability is read fresh: cached pages leave it out of their HTML."""
        return reverse("offers:availability", args=[self.page.pk])


def summarise(page, request=None, *, moment: datetime | None = None, calendar=None) -> OfferSummary:
    """The offer of `page` (an OfferPage) as shown now; a fully booked offer keeps its page out of the page cache."""
    package = page.package
    available = None
    if package is not None and package.active and package.live:
        available = seats.availability(package, moment or timezone.now(), calendar=calendar)
        if available.fully_booked:
            # The page would have no Buy button; it must not stay like that once a seat frees up.
            page_cache.do_not_cache(request, "fully booked")
    return OfferSummary(
        page=page,
        package=package,
        policy=page.refund_policy,
        vat_line=agency_vat(request=request).line,
        availability=available,
    )


def site_calendar(page, request=None) -> workdays.AgencyCalendar:
    """The working calendar of the site serving `page` (read once per request by listings)."""
    return workdays.get_calendar((Site.find_for_request(request) if request else None) or page.get_site())
