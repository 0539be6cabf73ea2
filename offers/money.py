"""Money: Decimal amounts in the database, integer minor units at Stripe's boundary.

Every conversion and every price shown anywhere (templates, e-mails, admin) goes
through this module, so rounding and formatting have one definition.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency
from django.conf import settings
from django.utils import translation


@dataclass(frozen=True)
class Currency:
    code: str
    decimals: int
    minimum: Decimal  # Stripe's minimum charge, in major units

    @property
    def quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.decimals)


def _currencies(*rows):
    return {code: Currency(code, decimals, Decimal(minimum)) for code, decimals, minimum in rows}


# Stripe-supported settlement currencies we sell in, with Stripe's decimal places
# and minimum charge amounts (stripe.com/docs/currencies). Three-decimal currencies
# and those Stripe treats specially (HUF, ISK, TWD) are deliberately left out.
CURRENCIES = _currencies(
    ("EUR", 2, "0.50"),
    ("USD", 2, "0.50"),
    ("GBP", 2, "0.30"),
    ("CHF", 2, "0.50"),
    ("AUD", 2, "0.50"),
    ("CAD", 2, "0.50"),
    ("NZD", 2, "0.50"),
    ("SGD", 2, "0.50"),
    ("DKK", 2, "2.50"),
    ("NOK", 2, "3.00"),
    ("SEK", 2, "3.00"),
    ("PLN", 2, "2.00"),
    ("CZK", 2, "15.00"),
    ("RON", 2, "2.00"),
    ("JPY", 0, "50"),
)
DEFAULT_CURRENCY = "EUR"


class UnsupportedCurrency(ValueError):
    pass


def currency_choices():
    return [(code, code) for code in CURRENCIES]


def get_currency(code: str) -> Currency:
    try:
        return CURRENCIES[(code or "").upper()]
    except KeyError:
        raise UnsupportedCurrency(f"{code!r} is not a supported currency") from None


def quantize(amount: Decimal, currency: str) -> Decimal:
    """The amount rounded half-up to the currency's decimal places."""
    return Decimal(amount).quantize(get_currency(currency).quantum, rounding=ROUND_HALF_UP)


def has_valid_decimals(amount: Decimal, currency: str) -> bool:
    """True when the amount needs no rounding in this currency (90.5 JPY does)."""
    return Decimal(amount) == quantize(amount, currency)


def to_minor_units(amount: Decimal, currency: str) -> int:
    """Integer amount for Stripe: 90.00 EUR -> 9000, 500 JPY -> 500.

    Refuses an amount with more decimals than the currency has, instead of
    silently rounding money.
    """
    if not isinstance(amount, Decimal):
        raise TypeError("amount must be a Decimal")
    if not has_valid_decimals(amount, currency):
        raise ValueError(f"{amount} has too many decimal places for {currency}")
    return int(amount.scaleb(get_currency(currency).decimals))


def from_minor_units(value: int, currency: str) -> Decimal:
    """Decimal amount from Stripe's integer: 9000 EUR -> Decimal("90.00")."""
    return quantize(Decimal(int(value)).scaleb(-get_currency(currency).decimals), currency)


def minimum_charge(currency: str) -> Decimal:
    return get_currency(currency).minimum


def plain_decimal(amount: Decimal, currency: str) -> str:
    """The amount as a plain decimal string with the currency's places: "90.00" (schema.org, Stripe metadata)."""
    return format(quantize(amount, currency), "f")


def babel_locale(language: str | None = None) -> Locale:
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    try:
        return Locale.parse(translation.to_locale(language))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(translation.to_locale(settings.LANGUAGE_CODE))


def format_money(amount: Decimal, currency: str, locale: str | None = None) -> str:
    """The amount as a reader of the locale expects it: "€90.00" (en), "90,00 €" (de), "¥500" (JPY).

    Without a locale, the active language is used, then settings.LANGUAGE_CODE.
    """
    code = get_currency(currency).code
    return format_currency(quantize(amount, code), code, locale=babel_locale(locale), currency_digits=True)
