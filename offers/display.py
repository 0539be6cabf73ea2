"""How dates, times, addresses and yes/no read for people: one definition for admin, pages and e-mails.

Times are always shown in the site's zone (settings.TIME_ZONE) with the zone named
("17:00 CET"), whatever zone a request or a staff member's profile activated, so
an e-mail, a history row and an admin field agree. Money is `offers.money.format_money`.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import dateformat

from offers import money


def site_zone():
    return ZoneInfo(settings.TIME_ZONE)


def local(moment: datetime) -> datetime:
    """The moment in the site's zone."""
    return moment.astimezone(site_zone())


def _day(value) -> date:
    return local(value).date() if isinstance(value, datetime) else value


def date_text(value, *, year=True) -> str:
    """A day in words: "Wednesday 2 December 2026" (a moment counts as its day in the site's zone)."""
    if value is None:
        return ""
    return dateformat.format(_day(value), "l j F Y" if year else "l j F")


def time_text(moment: datetime) -> str:
    """ "17:00 CET": the time of day in the site's zone, zone named."""
    return dateformat.format(local(moment), "H:i T") if moment else ""


def datetime_text(moment: datetime, *, seconds=False) -> str:
    """ "Wednesday 2 December 2026, 17:00 CET" (with seconds: 23:59:59)."""
    if moment is None:
        return ""
    return dateformat.format(local(moment), "l j F Y, H:i:s T" if seconds else "l j F Y, H:i T")


def short_datetime_text(moment: datetime) -> str:
    """ "2 Dec 2026, 17:00 CET": for tables."""
    return dateformat.format(local(moment), "j M Y, H:i T") if moment else ""


# Countries whose postal lines put the town before the postcode ("London\nSW1A 1AA", "Austin, TX 78701").
_TOWN_FIRST = {"GB", "IE"}
_STATE_AFTER_TOWN = {"US", "CA", "AU"}


def country_name(code: str) -> str:
    code = (code or "").upper()
    return money.babel_locale().territories.get(code, code) if code else ""


def address_lines(address) -> list[str]:
    """A Stripe-style address dict as the lines of a postal address; empty parts left out."""
    if not isinstance(address, dict):
        return []
    get = lambda key: (address.get(key) or "").strip()  # noqa: E731
    country = get("country").upper()
    lines = [get("line1"), get("line2")]
    if country in _STATE_AFTER_TOWN:
        lines.append(
            " ".join(
                part for part in [", ".join(p for p in [get("city"), get("state")] if p), get("postal_code")] if part
            )
        )
    elif country in _TOWN_FIRST:
        lines += [get("city"), get("state"), get("postal_code")]
    else:
        lines += [" ".join(p for p in [get("postal_code"), get("city")] if p), get("state")]
    lines.append(country_name(country))
    return [line for line in lines if line]


def tax_ids_text(tax_ids) -> str:
    """Stripe's tax ids ([{"type": "eu_vat", "value": "DE123"}]) as "DE123 (EU VAT)"; empty when there are none."""
    parts = []
    for tax_id in tax_ids or []:
        if isinstance(tax_id, dict) and tax_id.get("value"):
            kind = (tax_id.get("type") or "").replace("_", " ").upper()
            parts.append(f"{tax_id['value']} ({kind})" if kind else tax_id["value"])
    return ", ".join(parts)


def yes_no(value) -> str:
    return "yes" if value else "no"
