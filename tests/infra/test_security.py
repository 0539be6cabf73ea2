"""Production hardening: start-up refusals, deploy checks, headers, CSP and login throttling."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "www.brightside.example",
    "CSRF_TRUSTED_ORIGINS": "https://www.brightside.example",
    "SITE_BASE_URL": "https://www.brightside.example",
    "STRIPE_SECRET_KEY": "sk_test_not_a_real_key",
    "STRIPE_WEBHOOK_SECRET": "whsec_not_a_real_secret",
}


def manage(*args, **env_changes):
    """Run manage.py in a fresh process with a production-like environment."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "STRIPE_"))}
    env.pop("REDIS_URL", None)
    env.update(PRODUCTION_ENV)
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_the_deploy_checks_without_a_warning():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("name", ["SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "SITE_BASE_URL"])
def test_production_refuses_to_start_without_a_required_variable(name):
    result = manage("check", **{name: None})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"Set the {name} environment variable" in result.stderr


def test_production_refuses_offline_payments():
    result = manage("check", STRIPE_OFFLINE="true")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "STRIPE_OFFLINE must not be on in production" in result.stderr


def test_production_refuses_a_plain_http_site_origin():
    result = manage("check", SITE_BASE_URL="http://www.brightside.example")
    assert result.returncode != 0
    assert "SITE_BASE_URL must be an https:// origin" in result.stderr


def test_production_admin_links_use_the_public_origin():
    result = manage("shell", "-c", "from django.conf import settings; print(settings.WAGTAILADMIN_BASE_URL)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "https://www.brightside.example"


def csp_directives(response):
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/robots.txt", "/healthz"])
def test_public_responses_allow_only_same_origin_scripts_and_styles(client, url):
    response = client.get(url)
    directives = csp_directives(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_admin_alone_may_run_wagtails_inline_scripts_and_frame_its_preview(admin_client):
    """Wagtail 8's admin initialises widgets with inline scripts and styles: only /admin/ gets that exception."""
    for url in ["/admin/login/", "/admin/"]:
        directives = csp_directives(admin_client.get(url))
        assert directives["script-src"] == ["'self'", "'unsafe-inline'"]
        assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
        assert directives["frame-ancestors"] == ["'self'"]
        assert directives["default-src"] == ["'self'"]
        assert directives["object-src"] == ["'none'"]


@pytest.mark.django_db
def test_responses_carry_the_browser_protection_headers(client):
    response = client.get("/robots.txt")
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31536000)
def test_behind_the_tls_proxy_https_is_trusted_and_plain_http_redirected(client):
    plain = client.get("/robots.txt")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/robots.txt"

    proxied = client.get("/robots.txt", headers={"X-Forwarded-Proto": "https"})
    assert proxied.status_code == 200
    assert proxied["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"

    # Load balancers probe the health check over plain HTTP.
    assert client.get("/healthz").status_code == 200


def test_production_cookies_are_secure_and_hidden_from_scripts():
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_HTTPONLY)"
    )
    result = manage("shell", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True True True True"


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_superuser("editor", "editor@brightside.example", "correct horse 42")


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def admin_login(client, password, ip="203.0.113.7"):
    return client.post("/admin/login/", {"username": "editor", "password": password}, REMOTE_ADDR=ip, follow=False)


@pytest.mark.django_db
def test_admin_login_works_with_throttling_on(client, staff_user, throttled):
    response = admin_login(client, "correct horse 42")
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_repeated_wrong_admin_passwords_lock_the_login_out(client, staff_user, throttled):
    for _ in range(2):
        assert admin_login(client, "guess").status_code == 200  # the form again, with an error
    assert admin_login(client, "guess").status_code == 429

    # Now even the right password is refused from that address...
    locked = admin_login(client, "correct horse 42")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # ...while the same editor can still sign in from their own address.
    assert admin_login(client, "correct horse 42", ip="198.51.100.20").status_code == 302


@pytest.mark.django_db
def test_tests_can_still_sign_users_in_directly(client, staff_user, throttled):
    client.force_login(staff_user)
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_a_page_preview_keeps_the_public_policy_but_may_be_framed_by_the_admin(admin_client):
    """Wagtail renders previews through a dummy request for the page's own URL; its preview panel frames them."""
    from wagtail.models import Site

    home = Site.objects.get(is_default_site=True).root_page
    response = admin_client.get(f"/admin/pages/{home.pk}/view_draft/")
    assert response.status_code == 200
    directives = csp_directives(response)
    assert directives["frame-ancestors"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
