"""The Stripe tax rate on the line item must say what the offer page says.

Prices are entered VAT-included and the page states "incl. 19 % VAT". A rate
attached to the line item (`STRIPE_TAX_RATE_ID`) must therefore be inclusive
(an exclusive one adds VAT on top: the buyer pays more than the page showed),
active, and of the percentage the page states. It is read from Stripe at the
first checkout and again whenever the rate id or the agency's VAT changes (the
verdict is cached under both), never at start-up, so a Stripe outage cannot
block `migrate`. A rate that does not fit makes the offer not purchasable;
staff see why on the orders listing, and the log says so.
"""

import logging
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache

from offers.payments import stripe_client

logger = logging.getLogger(__name__)

VERDICT_SECONDS = 6 * 60 * 60
OK = ""


def _key(tax_rate_id, vat):
    return f"stripe-tax-rate:{tax_rate_id}:{vat.rate.normalize():f}"


def applies(vat):
    """Whether a tax rate goes on the line item at all: VAT is charged and a rate is configured."""
    return not vat.exempt and bool(settings.STRIPE_TAX_RATE_ID) and not stripe_client.is_offline()


def known_problem(vat):
    """Why the configured rate does not fit, as last checked ("" when it fits or was not checked yet)."""
    if not applies(vat):
        return OK
    return cache.get(_key(settings.STRIPE_TAX_RATE_ID, vat)) or OK


def problem(vat):
    """Why the configured rate does not fit the page's VAT ("" when it does). Asks Stripe when not cached.

    Raises stripe_client.PaymentProviderError when Stripe cannot be asked: then nothing is cached.
    """
    if not applies(vat):
        return OK
    tax_rate_id = settings.STRIPE_TAX_RATE_ID
    key = _key(tax_rate_id, vat)
    verdict = cache.get(key)
    if verdict is not None:
        return verdict
    rate = stripe_client.retrieve_tax_rate(tax_rate_id)
    reasons = []
    if not rate.get("inclusive"):
        reasons.append("it is exclusive, so buyers would pay VAT on top of the price the page shows")
    if not rate.get("active"):
        reasons.append("it is archived (not active)")
    percentage = Decimal(str(rate.get("percentage")))
    if percentage != vat.rate:
        reasons.append(f"it is {percentage.normalize():f} %, the page states {vat.rate.normalize():f} %")
    verdict = f"Stripe tax rate {tax_rate_id} does not fit: " + "; ".join(reasons) if reasons else OK
    cache.set(key, verdict, VERDICT_SECONDS)
    if verdict:
        logger.error("tax rate refused, offer not purchasable", extra={"tax_rate": tax_rate_id, "reason": verdict})
    else:
        logger.info("tax rate checked", extra={"tax_rate": tax_rate_id})
    return verdict
