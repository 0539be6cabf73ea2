from decimal import Decimal

import pytest
from django.utils import translation

from offers import money


def test_price_reads_naturally_in_english_and_german():
    assert money.format_money(Decimal("90"), "EUR", "en") == "€90.00"
    assert money.format_money(Decimal("90"), "EUR", "de") == "90,00\xa0€"


def test_price_follows_the_active_language_when_no_locale_is_given():
    with translation.override("de"):
        assert money.format_money(Decimal("1234.5"), "EUR") == "1.234,50\xa0€"
    with translation.override("en"):
        assert money.format_money(Decimal("1234.5"), "EUR") == "€1,234.50"


def test_yen_prices_have_no_decimals():
    assert money.format_money(Decimal("500"), "JPY", "en") == "¥500"
    assert money.to_minor_units(Decimal("500"), "JPY") == 500
    assert money.from_minor_units(500, "JPY") == Decimal("500")


def test_euro_amounts_travel_to_stripe_in_cents_and_back():
    assert money.to_minor_units(Decimal("90.00"), "EUR") == 9000
    assert money.to_minor_units(Decimal("0.5"), "EUR") == 50
    assert money.from_minor_units(9000, "EUR") == Decimal("90.00")
    assert str(money.from_minor_units(9000, "EUR")) == "90.00"


def test_amounts_that_would_need_rounding_are_refused_not_rounded():
    with pytest.raises(ValueError):
        money.to_minor_units(Decimal("90.005"), "EUR")
    with pytest.raises(ValueError):
        money.to_minor_units(Decimal("500.5"), "JPY")
    with pytest.raises(TypeError):
        money.to_minor_units(90.0, "EUR")


def test_unsupported_currency_is_refused():
    with pytest.raises(money.UnsupportedCurrency):
        money.to_minor_units(Decimal("1"), "XYZ")
    assert "XYZ" not in money.CURRENCIES


def test_minimum_charge_and_plain_decimal():
    assert money.minimum_charge("EUR") == Decimal("0.50")
    assert money.plain_decimal(Decimal("90"), "EUR") == "90.00"
    assert money.plain_decimal(Decimal("500"), "JPY") == "500"


# Stripe's decimal places and minimum charge per currency, as Stripe publishes them
# (docs: currencies, "Minimum and maximum charge amounts"), written out here rather than
# read from offers.money, so a wrong row there makes Stripe charge a tenth or ten times the price.
STRIPE_PUBLISHED = {
    "EUR": (2, "0.50"),
    "USD": (2, "0.50"),
    "GBP": (2, "0.30"),
    "CHF": (2, "0.50"),
    "AUD": (2, "0.50"),
    "CAD": (2, "0.50"),
    "NZD": (2, "0.50"),
    "SGD": (2, "0.50"),
    "DKK": (2, "2.50"),
    "NOK": (2, "3.00"),
    "SEK": (2, "3.00"),
    "PLN": (2, "2.00"),
    "CZK": (2, "15.00"),
    "RON": (2, "2.00"),
    "JPY": (0, "50"),
}


def test_every_currency_on_sale_has_a_row_in_stripes_published_table():
    assert set(money.CURRENCIES) == set(STRIPE_PUBLISHED)
    assert money.currency_choices() == [(code, code) for code in money.CURRENCIES]


@pytest.mark.parametrize(("code", "decimals", "minimum"), [(c, d, m) for c, (d, m) in STRIPE_PUBLISHED.items()])
def test_each_currency_converts_to_stripes_minor_units_and_back(code, decimals, minimum):
    major = Decimal("1234")
    minor = 1234 * 10**decimals
    assert money.to_minor_units(major, code) == minor
    assert money.from_minor_units(minor, code) == major
    # One minor unit is the smallest amount: it converts to 1 and back.
    smallest = Decimal(1).scaleb(-decimals)
    assert money.to_minor_units(smallest, code) == 1
    assert money.from_minor_units(1, code) == smallest
    assert money.minimum_charge(code) == Decimal(minimum)
    assert money.plain_decimal(Decimal("7"), code) == ("7." + "0" * decimals if decimals else "7")
    # A lower-case code from a form or a payload means the same currency.
    assert money.to_minor_units(major, code.lower()) == minor


def test_half_a_cent_rounds_up_as_shops_do_not_to_even():
    assert money.quantize(Decimal("0.125"), "EUR") == Decimal("0.13")
    assert money.quantize(Decimal("0.135"), "EUR") == Decimal("0.14")
    assert money.quantize(Decimal("2.5"), "JPY") == Decimal("3")
    assert money.from_minor_units(9000, "EUR") == Decimal("90.00")
    assert str(money.from_minor_units(9000, "EUR")) == "90.00"


def test_an_unknown_or_malformed_language_falls_back_to_the_sites_language():
    assert money.babel_locale("xx") == money.babel_locale(None)
    assert money.babel_locale("1") == money.babel_locale(None)  # not even shaped like a language
    with translation.override(None):
        assert str(money.babel_locale("")) == "en"
    assert money.format_money(Decimal("90"), "EUR", "xx") == "€90.00"
