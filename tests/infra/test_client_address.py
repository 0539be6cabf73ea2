"""One visitor address for limits, login throttling and logs: the N-th from the right of X-Forwarded-For."""

import json
import logging

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from config.client_address import client_address
from config.request_logging import JsonFormatter, RequestIdFilter, RequestIdMiddleware


def request_from(remote="10.0.0.2", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_a_trusted_proxy_the_connection_is_the_visitor(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request_from(forwarded="198.51.100.7")) == "10.0.0.2"


def test_behind_one_proxy_the_last_entry_is_the_visitor(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_from(forwarded="198.51.100.7")) == "198.51.100.7"


def test_entries_a_visitor_writes_in_front_of_the_proxys_are_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    forged = request_from(forwarded="1.2.3.4, 5.6.7.8, 198.51.100.7")
    assert client_address(forged) == "198.51.100.7"


def test_behind_two_proxies_the_second_entry_from_the_right_is_the_visitor(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request_from(forwarded="1.2.3.4, 198.51.100.7, 10.0.0.9")) == "198.51.100.7"


@pytest.mark.parametrize("forwarded", [None, "", "not-an-address", "198.51.100.7; drop table", " , "])
def test_a_missing_or_malformed_header_falls_back_to_the_connection(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_from(forwarded=forwarded)) == "10.0.0.2"


def test_too_few_entries_fall_back_to_the_connection(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request_from(forwarded="198.51.100.7")) == "10.0.0.2"


def test_ipv6_visitors_are_recognised(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_from(forwarded="2001:DB8::1")) == "2001:db8::1"


def test_log_lines_name_the_visitor_not_the_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    records = []

    def view(request):
        record = logging.LogRecord("test", logging.INFO, __file__, 1, "seen", None, None)
        RequestIdFilter().filter(record)
        records.append(json.loads(JsonFormatter().format(record)))
        from django.http import HttpResponse

        return HttpResponse()

    RequestIdMiddleware(view)(request_from(forwarded="1.2.3.4, 198.51.100.7"))
    assert records[0]["client"] == "198.51.100.7"


# --- login throttling behind the proxy ------------------------------------------------------------------------


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_superuser("editor", "editor@brightside.example", "correct horse 42")


@pytest.fixture
def behind_proxy(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXY_COUNT = 1


def login_via_proxy(client, password, visitor):
    return client.post(
        "/admin/login/",
        {"username": "editor", "password": password},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=visitor,
    )


@pytest.mark.django_db
def test_wrong_passwords_lock_only_the_address_they_came_from(client, editor, behind_proxy):
    for _ in range(2):
        assert login_via_proxy(client, "guess", "203.0.113.66").status_code == 200
    locked = login_via_proxy(client, "guess", "203.0.113.66")
    assert locked.status_code == 429
    # The editor, at their own address behind the same proxy, still gets in.
    assert login_via_proxy(client, "correct horse 42", "198.51.100.20").status_code == 302


@pytest.mark.django_db
def test_the_lockout_page_says_when_the_lock_lifts(client, editor, behind_proxy):
    for _ in range(3):
        response = login_via_proxy(client, "guess", "203.0.113.66")
    html = response.content.decode()
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 3600
    assert "paused until" in html
    assert '<link rel="stylesheet"' in html  # the site's styled page, not axes' bare sentence
