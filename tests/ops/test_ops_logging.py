"""Structured logs: every record of a request carries its id; JSON lines in production; Stripe failures name the order."""

import io
import json
import logging
import warnings

import pytest
from django.conf import settings
from django.test import Client

from config.request_logging import JsonFormatter, RequestIdFilter, logging_config
from tests.checkout_helpers import post_buy
from tests.factories import offer_page


@pytest.fixture
def console_lines():
    """What the configured console handler prints during the test, line by line."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    stream = io.StringIO()
    old = handler.setStream(stream)
    yield lambda: stream.getvalue().splitlines()
    handler.setStream(old)


@pytest.fixture
def offer():
    return offer_page()


@pytest.mark.django_db
def test_proxy_request_id_is_on_every_log_line_of_the_request_and_in_the_response(offer, console_lines, private_cache):
    response = post_buy(Client(HTTP_X_REQUEST_ID="nginx-3f9a2c1b7d"), offer, website="I am a bot")
    assert response.status_code == 400
    assert response["X-Request-ID"] == "nginx-3f9a2c1b7d"
    lines = [line for line in console_lines() if "honeypot filled" in line]
    assert len(lines) == 1
    assert "[nginx-3f9a2c1b7d]" in lines[0]


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["short", "has space in it", "new\nline-injected-log", "x" * 500, "quote\"'<>"])
def test_unsafe_incoming_request_id_is_replaced_by_a_fresh_one(client, bad):
    response = client.get("/robots.txt", HTTP_X_REQUEST_ID=bad)
    assert response["X-Request-ID"] != bad
    assert len(response["X-Request-ID"]) == 32


def test_each_request_without_an_id_gets_its_own(client):
    first, second = client.get("/robots.txt"), client.get("/robots.txt")
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_log_lines_outside_a_request_carry_a_dash():
    record = logging.LogRecord("x", logging.INFO, "", 0, "no request", None, None)
    RequestIdFilter().filter(record)
    assert record.request_id == "-"


def test_json_formatter_writes_one_parseable_object_with_the_fields():
    record = logging.LogRecord("offers.checkout.start", logging.ERROR, "", 0, "checkout session failed", None, None)
    record.order = "BWS-ABC123"
    record.stripe_code = None
    record.request_id = "req-12345678"
    try:
        raise RuntimeError("stripe down")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "offers.checkout.start"
    assert entry["message"] == "checkout session failed"
    assert entry["request_id"] == "req-12345678"
    assert entry["order"] == "BWS-ABC123"
    assert "stripe_code" in entry
    assert "RuntimeError: stripe down" in entry["exception"]
    assert entry["time"].endswith("+00:00")


def test_production_logs_are_json_and_dev_logs_plain():
    from config.settings import base

    assert base.LOGGING["handlers"]["console"]["formatter"] == "json"
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "plain"
    with pytest.raises(ValueError):
        logging_config("xml")


@pytest.mark.django_db
def test_stripe_failure_at_checkout_is_logged_with_the_order_reference(
    offer, stripe_api, private_cache, caplog, console_lines
):
    stripe_api.fail_next(status=500, times=5)
    with caplog.at_level(logging.WARNING):
        response = post_buy(Client(HTTP_X_REQUEST_ID="req-checkout-1"), offer)
    assert response.status_code == 503
    from offers.models import Order

    order = Order.objects.get()
    failures = [r for r in caplog.records if r.getMessage() == "checkout session failed"]
    assert failures and failures[0].order == order.reference
    stripe_calls = [r for r in caplog.records if r.getMessage() == "stripe call failed"]
    assert stripe_calls and {r.order for r in stripe_calls} == {order.reference}
    assert stripe_calls[0].stripe_call == "create_session"
    printed = [line for line in console_lines() if "checkout session failed" in line]
    assert printed and "[req-checkout-1]" in printed[0]


@pytest.mark.parametrize("name", ["base", "dev", "test", "production"])
def test_settings_configure_mail_through_mailers_not_the_deprecated_email_settings(name, monkeypatch):
    import importlib

    from django.conf import DEPRECATED_EMAIL_SETTINGS

    for variable, value in {
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "example.com",
        "CSRF_TRUSTED_ORIGINS": "https://example.com",
        "SITE_BASE_URL": "https://example.com",
    }.items():
        monkeypatch.setenv(variable, value)
    module = importlib.import_module(f"config.settings.{name}")
    assert "default" in module.MAILERS
    assert not [setting for setting in DEPRECATED_EMAIL_SETTINGS if hasattr(module, setting)]


def test_sending_mail_raises_no_deprecation_warning():
    from django.core import mail

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mail.send_mail("Hello", "Body", "from@example.com", ["to@example.com"])
    assert len(mail.outbox) == 1


def test_smtp_mailer_keeps_reading_the_email_environment_variables(monkeypatch):
    from config.settings.base import mailer_from_env

    monkeypatch.setenv("EMAIL_HOST", "smtp.example.com")
    monkeypatch.setenv("EMAIL_PORT", "2525")
    monkeypatch.setenv("EMAIL_HOST_USER", "mailer")
    monkeypatch.setenv("EMAIL_HOST_PASSWORD", "secret")
    monkeypatch.setenv("EMAIL_USE_TLS", "false")
    mailer = mailer_from_env()
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailer["OPTIONS"] == {
        "host": "smtp.example.com",
        "port": 2525,
        "username": "mailer",
        "password": "secret",
        "use_tls": False,
        "timeout": 10.0,
    }
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    assert mailer_from_env() == {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
