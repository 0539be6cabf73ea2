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
