"""`make bench`: the production server on loopback under load, each page cached and uncached.

Starts gunicorn with production settings (throwaway secrets, PostgreSQL when
DATABASE_URL is set, else a SQLite file of its own; Redis when REDIS_URL is
set, else the database cache), loads the demo content, and measures requests
per second and p50/p99 latency with wrk (Debian's package; a small Python load
generator when wrk is missing). Every request carries `X-Forwarded-Proto:
https`, as the TLS proxy would send, and every answer must be a 200 of the
size the page has, so a redirect or error page can never pass for a fast page.
"Uncached" is the same server with the full-page cache off
(`PAGE_CACHE_SECONDS=0`). Each page's ratio is to `/robots.txt` (no database,
never page-cached) measured right after it, so both see the same machine load. Ends with a 30-second run at 64 connections on the
article that must finish without an error.

gunicorn runs with the shipped gunicorn.conf.py (its access log off, so figures
compare with earlier runs). The mixed load at the end puts BENCH_CONNECTIONS on
the never-cached search page while the cached article is measured, once with
sync workers and once with the configuration's own worker class: what a
burst of slow requests costs everyone else.

Environment: BENCH_SECONDS (per page and mode, default 8), BENCH_CONNECTIONS
(default 16), WEB_CONCURRENCY (gunicorn workers, default 2), GUNICORN_THREADS,
DATABASE_URL, REDIS_URL.
"""

import http.client
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().parent / "check_responses.lua"
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
FINAL_SECONDS, FINAL_CONNECTIONS = 30, 64
HTTPS = {"X-Forwarded-Proto": "https"}
BASELINE = "robots.txt (baseline)"
TARGETS = {"article": {"cached": 0.8, "uncached": 0.3}}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(port):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "STRIPE_OFFLINE"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),  # throwaway: nothing signed now outlives this run
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        CSRF_TRUSTED_ORIGINS=f"https://127.0.0.1:{port}",
        SITE_BASE_URL=f"https://127.0.0.1:{port}",
        LOG_LEVEL="WARNING",
        DATABASE_URL=os.environ.get("DATABASE_URL") or f"sqlite:///{ROOT / '.bench.sqlite3'}",
    )
    return env


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def prepare(env):
    print("preparing: migrate, cache table, collectstatic, demo content ...", flush=True)
    manage(env, "migrate", "--noinput")
    manage(env, "createcachetable")
    manage(env, "collectstatic", "--noinput", "-v0")
    manage(env, "load_demo_content")


def page_figures(env):
    """Each page's URL, and the queries it costs uncached and cached, from Django's test client in this process."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from wagtail.models import Site

    from learn.models import ArticlePage, LearnIndexPage
    from offers.models import OfferPage

    def first(model):
        page = model.objects.live().order_by("path").first()
        if page is None:
            sys.exit(f"the demo content has no live {model.__name__}")
        return page.relative_url(Site.objects.get(is_default_site=True))

    pages = {
        BASELINE: "/robots.txt",
        "home": "/",
        "learn index": first(LearnIndexPage),
        "article": first(ArticlePage),
        "offer page": first(OfferPage),
        "search": "/search/?query=website",
    }
    client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="127.0.0.1")

    def queries_of(url):
        """(queries the GET ran, its response); counted as they execute, whatever Django's query log keeps."""
        executed = []

        def count(execute, sql, params, many, context):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code} through the test client")
        return len(executed), response

    queries = {}
    for name, url in pages.items():
        with override_settings(PAGE_CACHE_SECONDS=0):
            client.get(url)  # warm per-process caches (site root paths, templates)
            uncached, _ = queries_of(url)
        client.get(url)  # stores it, where the page cache applies
        cached, _ = queries_of(url)
        queries[name] = {"uncached": uncached, "cached": cached}
    return pages, queries


class Server:
    def __init__(self, env, port, page_cache_on, **gunicorn_env):
        self.port = port
        self.env = {**env, "GUNICORN_ACCESS_LOG": "", **gunicorn_env}
        if not page_cache_on:
            self.env["PAGE_CACHE_SECONDS"] = "0"
        self.log = Path(tempfile.mkstemp(prefix="bench-gunicorn-", suffix=".log")[1])
        self.process = None

    def __enter__(self):
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [str(gunicorn), "config.wsgi", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{self.port}"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*command, "--backlog", "2048"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.log.read_text()[-3000:]
                self.__exit__()
                sys.exit(f"gunicorn exited:\n{output}")
            try:
                fetch(self.url("/robots.txt"))
                return self
            except OSError:
                time.sleep(0.2)
        # __exit__ does not run when __enter__ fails: stop the server here, or it outlives the run.
        self.__exit__()
        sys.exit("gunicorn did not answer within 60 s")

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.unlink(missing_ok=True)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"


def fetch(url):
    """(status, body bytes, headers) of one GET sent as the proxy would send it; redirects are not followed."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, headers=HTTPS)
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def expected_page(server, name, path):
    """The page's size once warm (three GETs must agree), and what the page cache said about the last one."""
    sizes, cache_state = [], "-"
    for _ in range(3):
        status, body, headers = fetch(server.url(path))
        if status != 200:
            sys.exit(f"{name} ({path}) answered {status}, not 200: refusing to measure it")
        sizes.append(len(body))
        cache_state = headers.get("X-Cache", "-")
    if len(set(sizes[1:])) != 1:
        sys.exit(f"{name} ({path}) changes size between requests ({sizes}): cannot check answers by size")
    return sizes[-1], cache_state


def run_wrk(url, expected_bytes, connections, seconds):
    result = subprocess.run(
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA),
            url,
        ],
        env={**os.environ, "EXPECTED_BYTES": str(expected_bytes)},
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures["errors"] = sum(
        figures[key] for key in ("connect_errors", "read_errors", "write_errors", "timeouts", "status_errors")
    )
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def run_python(url, expected_bytes, connections, seconds):
    """The fallback load generator: keep-alive connections in threads. Slower than wrk; figures are lower bounds."""
    target = urllib.parse.urlsplit(url)
    path = target.path + (f"?{target.query}" if target.query else "")
    latencies, counts, lock = [], {"non200": 0, "wrong_size": 0, "errors": 0}, threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker():
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
        mine, non200, wrong, errors = [], 0, 0, 0
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=HTTPS)
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
                continue
            mine.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                non200 += 1
            elif len(body) != expected_bytes:
                wrong += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            counts["non200"] += non200
            counts["wrong_size"] += wrong
            counts["errors"] += errors

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()

    def percentile(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] if latencies else 0.0

    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile(50),
        "p99_ms": percentile(99),
        **counts,
    }


def mixed_load(env, port, pages, load):
    """The cached article measured while as many connections load the never-cached search page:
    {worker class: (article figures, search figures)}, sync workers against the configuration's own."""
    outcomes = {}
    for label, gunicorn_env in (
        ("sync", {"GUNICORN_WORKER_CLASS": "sync", "GUNICORN_THREADS": "1"}),
        ("gunicorn.conf.py", {}),
    ):
        with Server(env, port, page_cache_on=True, **gunicorn_env) as server:
            article_size, _ = expected_page(server, "article", pages["article"])
            search_size, _ = expected_page(server, "search", pages["search"])
            with ThreadPoolExecutor(max_workers=1) as pool:
                slow = pool.submit(load, server.url(pages["search"]), search_size, CONNECTIONS, SECONDS + 2)
                time.sleep(1)  # the slow load is under way before the article is measured
                article = load(server.url(pages["article"]), article_size, CONNECTIONS, SECONDS)
                outcomes[label] = (article, slow.result())
    return outcomes


def main():
    load = run_wrk if shutil.which("wrk") else run_python
    print(f"load generator: {'wrk' if load is run_wrk else 'Python threads (wrk not installed)'}")
    port = free_port()
    env = production_env(port)
    print(f"database: {env['DATABASE_URL'].split('@')[-1]}; cache: {'Redis' if env.get('REDIS_URL') else 'database'}")
    prepare(env)
    pages, queries = page_figures(env)
    results, failures = {}, []

    def measure(server, mode):
        baseline_path = pages[BASELINE]
        baseline_size, _ = expected_page(server, BASELINE, baseline_path)
        for name, path in pages.items():
            size, cache_state = expected_page(server, name, path)
            figures = load(server.url(path), size, CONNECTIONS, SECONDS)
            # The baseline is measured right after each page, so both see the same machine load.
            baseline = figures if name == BASELINE else load(server.url(baseline_path), baseline_size, CONNECTIONS, 3)
            # A baseline that answered nothing (an overloaded machine) is a failure below, not a crash here.
            ratio = figures["rps"] / baseline["rps"] if baseline["rps"] else 0.0
            figures.update(bytes=size, cache=cache_state, ratio=ratio)
            results[(name, mode)] = figures
            for run in (figures, baseline):
                if run["non200"] or run["wrong_size"] or run["errors"]:
                    failures.append(f"{name} {mode}: {run}")
            print(
                f"  {name:<24} {mode:<9} {figures['rps']:8.0f} req/s  p99 {figures['p99_ms']:7.1f} ms  "
                f"(baseline now {baseline['rps']:.0f} req/s)",
                flush=True,
            )

    print(
        f"\nmeasuring each page {SECONDS} s at {CONNECTIONS} connections, {os.environ.get('WEB_CONCURRENCY', '2')} workers"
    )
    with Server(env, port, page_cache_on=False) as server:
        measure(server, "uncached")
    with Server(env, port, page_cache_on=True) as server:
        measure(server, "cached")
        print(f"\nfinal: the article for {FINAL_SECONDS} s at {FINAL_CONNECTIONS} connections ...", flush=True)
        article = pages["article"]
        size, _ = expected_page(server, "article", article)
        final = load(server.url(article), size, FINAL_CONNECTIONS, FINAL_SECONDS)

    print(f"\nmixed load: the cached article while {CONNECTIONS} connections load search ...", flush=True)
    mixed = mixed_load(env, port, pages, load)

    print(
        f"\n{'page':<24} {'mode':<9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>6} {'queries':>7} {'bytes':>7} cache"
    )
    for (name, mode), figures in results.items():
        ratio = figures["ratio"]
        target = TARGETS.get(name, {}).get(mode)
        verdict = "" if target is None else (" meets target" if ratio >= target else f" below target {target}")
        print(
            f"{name:<24} {mode:<9} {figures['rps']:8.0f} {figures['p50_ms']:8.1f} {figures['p99_ms']:8.1f} "
            f"{ratio:6.2f} {queries[name][mode]:7d} {figures['bytes']:7d} {figures['cache']}{verdict}"
        )
    print(f"\n{'mixed load, workers':<24} {'article req/s':>13} {'p50 ms':>8} {'p99 ms':>8} {'search req/s':>12}")
    for label, (article, search) in mixed.items():
        print(
            f"{label:<24} {article['rps']:13.0f} {article['p50_ms']:8.1f} {article['p99_ms']:8.1f} {search['rps']:12.0f}"
        )
        for run in (article, search):
            if run["non200"] or run["wrong_size"] or run["errors"]:
                failures.append(f"mixed load {label}: {run}")
    final_errors = final["non200"] + final["wrong_size"] + final["errors"]
    print(
        f"\nfinal run: {final['requests']} requests, {final['rps']:.0f} req/s, p50 {final['p50_ms']:.1f} ms, "
        f"p99 {final['p99_ms']:.1f} ms, non-2xx {final['non200']}, wrong size {final['wrong_size']}, "
        f"errors {final['errors']}"
    )
    if final_errors:
        failures.append(f"final run: {final}")
    if failures:
        print("\nFAILED: answers that were not a 200 of the expected size, or connection errors:")
        for failure in failures:
            print(f"  {failure}")
        sys.exit(1)
    print("\nevery answer was a 200 of the expected size")


if __name__ == "__main__":
    main()
