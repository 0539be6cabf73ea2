"""nginx with the shipped deploy/nginx.conf on loopback, and visitors that reach it from addresses of their own.

The configuration is the repository's file with only ports, paths and the
certificate replaced (`REPLACEMENTS` names every string that changes), wrapped
in a main context like Debian's /etc/nginx/nginx.conf (which includes the site
file inside `http`), with pid, logs and temp files in a temporary folder. The
certificate is made here with openssl. Visitors connect from distinct loopback
addresses (127.0.0.N; Linux routes all of 127/8 to lo), so nginx sees each as
a different client and appends that address to X-Forwarded-For.
"""

import gzip
import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from tests.conftest import free_port, missing_service
from tests.ops_services import end_process

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "deploy" / "nginx.conf"

MAIN_CONTEXT = """\
{user}
pid {dir}/nginx.pid;
error_log {dir}/error.log info;
daemon off;
worker_processes 1;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    # As Debian's nginx.conf has it at http level.
    gzip on;
    access_log {dir}/other-access.log;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {dir}/agency.conf;
}}
"""


def nginx_binary():
    return shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


def make_certificate(directory):
    """A self-signed certificate for 127.0.0.1 (and localhost): the test's own CA and server certificate at once."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def replacements(directory, http_port, https_port, app_ports, cert, key):
    """Every string of the shipped file the test changes, and what it becomes: ports, paths, certificate only."""
    first, second = app_ports
    return {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{first};",
        "server 127.0.0.1:8001;": f"server 127.0.0.1:{second};",
        "/etc/ssl/certs/agency.pem": str(cert),
        "/etc/ssl/private/agency.key": str(key),
        "/var/log/nginx/agency-access.log": str(directory / "access.log"),
        "/srv/agency/staticfiles/": f"{ROOT}/static/",
        "/srv/agency/deploy/": f"{ROOT}/deploy/",
    }


def render(text, changes):
    for old, new in changes.items():
        assert old in text, f"deploy/nginx.conf no longer contains {old!r}: update tests/proxy_services.py"
        text = text.replace(old, new)
    return text


class Proxy:
    """deploy/nginx.conf running on free loopback ports in front of the given app servers."""

    def __init__(self, app_ports, https_port=None):
        self.binary = nginx_binary()
        if self.binary is None:
            missing_service("needs nginx (Debian package nginx; `make proxy-deps` installs it)")
        self.directory = Path(tempfile.mkdtemp(prefix="proxy-"))
        self.http_port, self.https_port = free_port(), https_port or free_port()
        self.cert, self.key = make_certificate(self.directory)
        changes = replacements(self.directory, self.http_port, self.https_port, app_ports, self.cert, self.key)
        (self.directory / "agency.conf").write_text(render(SHIPPED.read_text(), changes))
        user = "user root;" if os.geteuid() == 0 else ""  # workers may then read the test's private temp folder
        self.main = self.directory / "nginx.conf"
        self.main.write_text(MAIN_CONTEXT.format(dir=self.directory, user=user))
        self.process = None

    @property
    def origin(self):
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def access_log(self):
        path = self.directory / "access.log"
        return path.read_text() if path.exists() else ""

    def command(self, *args):
        return [
            self.binary,
            "-p",
            str(self.directory),
            "-e",
            str(self.directory / "error.log"),
            "-c",
            str(self.main),
            *args,
        ]

    def check(self):
        """`nginx -t` on the configuration: (exit code, what nginx said)."""
        result = subprocess.run(self.command("-t"), capture_output=True, text=True)
        return result.returncode, result.stderr

    def start(self):
        code, output = self.check()
        assert code == 0, output
        self.process = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=0.5).close()
                return self
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("nginx did not start: " + (self.directory / "error.log").read_text()[-2000:])

    def stop(self):
        end_process(self.process)
        shutil.rmtree(self.directory, ignore_errors=True)

    def tls_context(self, protocols=("http/1.1",)):
        """Trusts only the test's certificate; offers HTTP/1.1 (http.client's) unless told otherwise."""
        context = ssl.create_default_context(cafile=str(self.cert))
        context.set_alpn_protocols(list(protocols))
        return context


@dataclass
class Reply:
    status: int
    headers: dict
    raw: bytes
    cookies: dict = field(default_factory=dict)

    @property
    def body(self):
        data = gzip.decompress(self.raw) if self.headers.get("content-encoding") == "gzip" else self.raw
        return data.decode(errors="replace")

    def form_token(self):
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.body).group(1)


class Visitor:
    """A browser at its own address (127.0.0.N) talking HTTPS to the proxy, keeping its cookies."""

    def __init__(self, proxy, address):
        self.proxy = proxy
        self.address = address
        self.cookies = {}

    def request(self, method, path, body=None, headers=None, scheme="https"):
        headers = {"Accept-Encoding": "gzip", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if scheme == "https":
            connection = http.client.HTTPSConnection(
                "127.0.0.1",
                self.proxy.https_port,
                context=self.proxy.tls_context(),
                source_address=(self.address, 0),
                timeout=30,
            )
        else:
            connection = http.client.HTTPConnection(
                "127.0.0.1", self.proxy.http_port, source_address=(self.address, 0), timeout=30
            )
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            reply = Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                reply.cookies[name.strip()] = rest.split(";", 1)[0]
        finally:
            connection.close()
        self.cookies.update(reply.cookies)
        return reply

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def submit(self, path, fields, headers=None):
        """What a browser does with a Django form: GET it (CSRF cookie and token), then POST it back."""
        form = self.get(path)
        assert form.status == 200, (path, form.status, form.body[:300])
        body = urlencode({**fields, "csrfmiddlewaretoken": form.form_token()}).encode()
        return self.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": self.proxy.origin + path,
                **(headers or {}),
            },
        )
