"""Lighthouse against the production server: home, an article and the offer page; every category 95 or better.

Run by `make lighthouse`. Starts `make serve` (gunicorn, production settings,
loopback) on LIGHTHOUSE_PORT in its own process group and stops it after, or
audits an already running server given as LIGHTHOUSE_URL. The served site has
dummy Stripe keys pointing at a closed port, so the offer page shows its Buy
button as a real visitor sees it; nothing in these page views calls Stripe.
Reports (HTML and JSON) go to lighthouse-reports/. Exit status 1 when any
score is below the budget.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "lighthouse-reports"
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
PAGES = {
    "home": "/",
    "article": "/learn/back-end-development/",
    "offer": "/offers/demo-website/",
}
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
BUDGET = 95
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking"
# gunicorn on plain HTTP behind no proxy: the header tells Django the request
# came over HTTPS, as the real proxy does, so no HTTPS redirect is audited.
EXTRA_HEADERS = json.dumps({"X-Forwarded-Proto": "https"})
SERVED_ENV = {
    "STRIPE_SECRET_KEY": "sk_test_lighthouse_not_a_real_key",
    "STRIPE_WEBHOOK_SECRET": "whsec_lighthouse_not_a_real_secret",
    "STRIPE_API_BASE": "http://127.0.0.1:9",
}


def wait_until_up(url, server, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            sys.exit(f"make serve exited with {server.returncode} before answering")
        try:
            urllib.request.urlopen(url, timeout=2).close()  # noqa: S310 - our own http:// loopback URL
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"{url} did not answer within {timeout} s")


def start_server(port):
    env = {**os.environ, **SERVED_ENV}
    log = open(REPORTS / "serve.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(  # noqa: S603 - fixed arguments
        ["make", "--no-print-directory", "serve", "HOST=127.0.0.1", f"PORT={port}"],  # noqa: S607 - make from PATH
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_server(server):
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def offer_shows_buy_button(base_url):
    """The offer page as audited: with its Buy button, or the 'cannot be bought' notice."""
    request = urllib.request.Request(base_url + PAGES["offer"], headers=json.loads(EXTRA_HEADERS))  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own loopback URL
        return "button--buy" in response.read().decode()


def audit(base_url, name, path, chrome):
    output = REPORTS / name
    subprocess.run(  # noqa: S603 - the project's own lighthouse binary
        [
            str(LIGHTHOUSE),
            base_url + path,
            "--quiet",
            "--output=json",
            "--output=html",
            f"--output-path={output}",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={CHROME_FLAGS}",
            f"--extra-headers={EXTRA_HEADERS}",
        ],
        check=True,
        env={**os.environ, "CHROME_PATH": chrome},
    )
    report = json.loads((REPORTS / f"{name}.report.json").read_text())
    scores = {key: round(report["categories"][key]["score"] * 100) for key in CATEGORIES}
    failing = [
        f"{audit['id']} ({audit['score']})"
        for audit in report["audits"].values()
        if audit.get("score") is not None and audit["score"] < 1 and audit.get("scoreDisplayMode") == "binary"
    ]
    return scores, failing


def main():
    chrome = os.environ.get("CHROME_PATH") or shutil.which("chromium")
    if not chrome:
        sys.exit("chromium is missing: run `make browser-deps`")
    if not LIGHTHOUSE.exists():
        sys.exit("lighthouse is missing: run `npm ci`")
    REPORTS.mkdir(exist_ok=True)
    base_url = os.environ.get("LIGHTHOUSE_URL", "").rstrip("/")
    server = None
    if not base_url:
        port = os.environ.get("LIGHTHOUSE_PORT", "8010")
        base_url = f"http://127.0.0.1:{port}"
        server = start_server(port)
    try:
        wait_until_up(base_url + "/healthz", server, timeout=300)
        below = []
        if not offer_shows_buy_button(base_url):
            print("note: the offer page shows no Buy button (no Stripe key on this server)")
        print(f"{'page':10} " + " ".join(f"{key:>15}" for key in CATEGORIES))
        for name, path in PAGES.items():
            scores, failing = audit(base_url, name, path, chrome)
            print(f"{name:10} " + " ".join(f"{scores[key]:>15}" for key in CATEGORIES), flush=True)
            if failing:
                print(f"{'':10} failed audits: {', '.join(failing)}")
            below += [f"{name} {key} {score}" for key, score in scores.items() if score < BUDGET]
    finally:
        if server is not None:
            stop_server(server)
    print(f"reports in {REPORTS.relative_to(ROOT)}/")
    if below:
        sys.exit(f"below {BUDGET}: {', '.join(below)}")


if __name__ == "__main__":
    main()
