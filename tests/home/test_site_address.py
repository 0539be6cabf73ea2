"""Newcomers start on any port: the dev settings and the Wagtail Site follow HOST and PORT."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import Site

ROOT = Path(__file__).resolve().parents[2]


def dev_setting(name, **environment):
    """A setting as `manage.py` (dev settings) sees it with only `environment` set."""
    env = {key: value for key, value in os.environ.items() if key not in {"HOST", "PORT", "SITE_BASE_URL"}}
    env.update(environment, DJANGO_SETTINGS_MODULE="config.settings.dev")
    code = f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return result.stdout.strip()


def test_dev_links_follow_the_port_the_server_runs_on():
    assert dev_setting("SITE_BASE_URL", PORT="8061") == "http://127.0.0.1:8061"
    assert dev_setting("WAGTAILADMIN_BASE_URL", PORT="8061") == "http://127.0.0.1:8061"
    assert dev_setting("SITE_BASE_URL", HOST="localhost", PORT="8062") == "http://localhost:8062"
    # Served on every interface, the site is still reached on loopback from the same machine.
    assert dev_setting("SITE_BASE_URL", HOST="0.0.0.0", PORT="8063") == "http://127.0.0.1:8063"
    assert dev_setting("SITE_BASE_URL") == "http://127.0.0.1:8000"


def test_an_explicit_site_base_url_wins_over_host_and_port():
    assert dev_setting("SITE_BASE_URL", PORT="8061", SITE_BASE_URL="https://demo.example/") == "https://demo.example"


@pytest.mark.django_db
def test_the_wagtail_site_moves_to_the_new_port_with_its_canonical_links_and_sitemap(client, settings):
    settings.SITE_BASE_URL = "http://127.0.0.1:8000"
    call_command("load_demo_content", verbosity=0)
    assert Site.objects.get(is_default_site=True).port == 8000

    settings.SITE_BASE_URL = "http://127.0.0.1:8061"
    call_command("load_demo_content", verbosity=0)
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("127.0.0.1", 8061)
    assert '<link rel="canonical" href="http://127.0.0.1:8061/about/">' in client.get("/about/").content.decode()
    assert "<loc>http://127.0.0.1:8061/learn/</loc>" in client.get("/sitemap.xml").content.decode()


@pytest.mark.django_db
def test_another_site_at_the_new_address_keeps_its_address(settings):
    settings.SITE_BASE_URL = "http://127.0.0.1:8000"
    call_command("load_demo_content", verbosity=0)
    default = Site.objects.get(is_default_site=True)
    Site.objects.create(hostname="127.0.0.1", port=8061, root_page=default.root_page)
    settings.SITE_BASE_URL = "http://127.0.0.1:8061"
    call_command("load_demo_content", verbosity=0)
    assert Site.objects.get(is_default_site=True).port == 8000


@pytest.mark.django_db
def test_make_admin_password_prints_a_new_password_that_logs_in(client):
    first = io.StringIO()
    call_command("ensure_admin", stdout=first)
    assert "with password:" in first.getvalue()
    again = io.StringIO()
    call_command("ensure_admin", stdout=again)
    assert "make admin-password" in again.getvalue()

    out = io.StringIO()
    call_command("ensure_admin", "--new-password", stdout=out)
    password = out.getvalue().split("with password: ")[1].split()[0]
    assert get_user_model().objects.get(username="admin").check_password(password)
    assert client.login(username="admin", password=password)
