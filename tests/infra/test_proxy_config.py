"""The shipped deploy/nginx.conf as nginx reads it: syntax, timeouts, the README, the page when the apps are down.

Needs only nginx (no database): run by CI's PostgreSQL pass with the other `proxy` tests.
"""

import subprocess
import sys

import pytest

from tests.conftest import free_port
from tests.proxy_services import ROOT, SHIPPED, Proxy, Visitor

pytestmark = [pytest.mark.proxy]


def test_shipped_configuration_passes_nginx_t():
    proxy = Proxy([8000, 8001])
    try:
        code, output = proxy.check()
        assert code == 0, output
        assert "syntax is ok" in output
    finally:
        proxy.stop()


def test_proxy_waits_longer_than_gunicorn_so_the_app_answers_slow_requests_itself():
    text = SHIPPED.read_text()
    read_timeout = int(text.split("proxy_read_timeout", 1)[1].split("s;", 1)[0])
    config = ROOT / "gunicorn.conf.py"
    if config.exists():
        code = "import runpy, sys; print(runpy.run_path(sys.argv[1]).get('timeout', 30))"
        gunicorn_timeout = int(
            subprocess.run(
                [sys.executable, "-c", code, str(config)], capture_output=True, text=True, check=True
            ).stdout.strip()
        )
    else:
        gunicorn_timeout = 30  # gunicorn's default
    assert read_timeout > gunicorn_timeout


def test_readme_deployment_section_shows_the_shipped_file():
    readme = (ROOT / "README.md").read_text()
    assert SHIPPED.read_text().strip() in readme


def test_app_servers_down_gets_the_styled_502_page():
    proxy = Proxy([free_port(), free_port()]).start()  # nothing listens on those ports
    try:
        reply = Visitor(proxy, "127.0.0.2").get("/")
        assert reply.status == 502
        assert "We will be right back" in reply.body
    finally:
        proxy.stop()
