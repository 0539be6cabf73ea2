"""Order links (bearer tokens for a year) never reach access logs nor the stored copies of e-mails."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.test import Client

from config.log_privacy import AccessLogger, mask_order_tokens
from offers.models import SentEmail
from tests.checkout_helpers import deliver, only_order, pay, post_buy
from tests.factories import offer_page

TOKEN = "b3JkZXItdG9rZW4:1vQ2Xy:abcdefSIGNATURE"


@pytest.mark.parametrize(
    ("logged", "expected"),
    [
        (f"GET /orders/{TOKEN}/ HTTP/1.1", "GET /orders/-/ HTTP/1.1"),
        (f"/orders/{TOKEN}/refund/", "/orders/-/refund/"),
        ("/orders/resend/", "/orders/resend/"),
        ("/checkout/return/?session_id=cs_test_123", "/checkout/return/?session_id=-"),
        ("/learn/what-a-cms-does/", "/learn/what-a-cms-does/"),
    ],
)
def test_tokens_are_masked_and_everything_else_is_kept(logged, expected):
    assert mask_order_tokens(logged) == expected


def test_gunicorn_access_log_line_has_no_token():
    logger = AccessLogger(SimpleNamespace(**_gunicorn_config()))
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/orders/{TOKEN}/",
        "PATH_INFO": f"/orders/{TOKEN}/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"https://www.example.com/orders/{TOKEN}/accept/",
    }
    atoms = logger.atoms(SimpleNamespace(status="200 OK", sent=10, headers=[]), [], environ, timedelta(seconds=0))
    line = " ".join(str(value) for value in atoms.values())
    assert TOKEN not in line
    assert "/orders/-/" in atoms["r"]


def _gunicorn_config():
    from gunicorn.config import Config

    config = Config()
    return {name: setting.get() for name, setting in config.settings.items()}


@pytest.mark.django_db
@pytest.mark.usefixtures("private_cache")
def test_stored_email_copy_keeps_the_message_but_not_the_order_link(stripe_api, django_capture_on_commit_callbacks):
    post_buy(Client(), offer_page())
    order = only_order()
    with django_capture_on_commit_callbacks(execute=True):
        deliver(Client(), pay(stripe_api, order))
    sent = next(m for m in mail.outbox if order.customer_email in m.to)
    assert "/orders/" in sent.body and "/orders/-/" not in sent.body  # the customer gets the working link
    stored = SentEmail.objects.get(order=order, kind="order_confirmation")
    assert "/orders/-/" in stored.body_text
    link = sent.body.split("/orders/", 1)[1].split("/", 1)[0]
    assert link not in stored.body_text
