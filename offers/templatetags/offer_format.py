"""Filters that show dates, times, money and addresses the one way `offers.display` and `offers.money` define.

{{ moment|site_datetime }} "Wednesday 2 December 2026, 17:00 CET"; {{ moment|site_short }} "2 Dec 2026, 17:00 CET";
{{ day|site_date }} "Wednesday 2 December 2026"; {{ amount|money:currency }} "€90.00" (en), "90,00 €" (de).
"""

from decimal import Decimal

from django import template

from offers import display
from offers import money as money_module

register = template.Library()


@register.filter
def site_datetime(moment):
    return display.datetime_text(moment) if moment else ""


@register.filter
def site_datetime_seconds(moment):
    return display.datetime_text(moment, seconds=True) if moment else ""


@register.filter
def site_short(moment):
    return display.short_datetime_text(moment) if moment else ""


@register.filter
def site_date(value):
    return display.date_text(value)


@register.filter
def site_time(moment):
    return display.time_text(moment) if moment else ""


@register.filter
def money(amount, currency):
    if amount in (None, ""):
        return ""
    return money_module.format_money(Decimal(amount), currency)


@register.filter
def address_lines(address):
    return display.address_lines(address)


@register.filter
def as_lines(value):
    """A list of lines as it is, anything else as one line (for label/value rows that may be an address)."""
    return value if isinstance(value, list | tuple) else [value]
