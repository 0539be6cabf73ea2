"""`make bench-scale`: what each page costs at the demo's size and with N more articles.

Creates a throwaway PostgreSQL database next to BENCH_SCALE_DATABASE_URL's
(dropped at the end), migrates it and loads the demo content with production
settings (page cache off, `PAGE_CACHE_SECONDS=0`; what pages remember until the
next publish stays on, as in production; Redis when REDIS_URL is set, else the
database cache), then measures each request below through Django's test client
in this process: queries, median (and best) time of BENCH_SCALE_REPEAT requests
and bytes.
Then it adds N copies of a demo article (benchmarks/scale_content.py; default
5,000), runs VACUUM ANALYZE as autovacuum would after such a load, measures
again and prints both with the ratio of the times.

"cold" rows start a new page-cache generation before each request (what the
first visitor after any publish gets); the others are what every later visitor
without a cached page gets. Not a test: it prints figures.

Environment: BENCH_SCALE_ARTICLES (5000), BENCH_SCALE_REPEAT (15),
BENCH_SCALE_DATABASE_URL (postgres://postgres@127.0.0.1:5432/postgres, a
server where the user may create databases), REDIS_URL.
"""

import os
import secrets
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = int(os.environ.get("BENCH_SCALE_ARTICLES", "5000"))
REPEAT = int(os.environ.get("BENCH_SCALE_REPEAT", "15"))
SERVER_URL = os.environ.get("BENCH_SCALE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
TEMPLATE_SLUG = "back-end-development"  # its copies all share its topics and words
MANY_HITS, NO_HITS = "development", "zeppelin"


def server_command(sql):
    import psycopg

    with psycopg.connect(SERVER_URL, autocommit=True) as connection:
        connection.execute(sql)


def configure(database_url):
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver",
        CSRF_TRUSTED_ORIGINS="https://testserver",
        SITE_BASE_URL="https://testserver",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url,
        PAGE_CACHE_SECONDS="0",
        TASKS_BACKEND="immediate",  # search index updates of the demo content, at once
        LOG_LEVEL="WARNING",
        CACHE_KEY_PREFIX=f"bench-scale-{os.getpid()}",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


class QueryCounter:
    """Counts the statements sent to the database (a wrapper, so it holds without DEBUG)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def counted(action):
    from django.db import connection

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        result = action()
    return counter.count, result


def measure(client, path, cold=False):
    """(queries, median ms, best ms, bytes) of GET path; cold: a new page-cache generation before each request."""
    from config import page_cache

    def get():
        if cold:
            page_cache.invalidate("bench")
        started = time.perf_counter()
        response = client.get(path, secure=True)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (path, response.status_code)
        return response, elapsed

    get()  # warm this process (templates, URL resolvers) and what pages remember
    queries, (response, _elapsed) = counted(get)
    times = [get()[1] for _ in range(REPEAT)]
    return queries, statistics.median(times), min(times), len(response.content)


def measure_publish(article):
    """(queries, median ms, best ms, 0) of publishing a new revision of an article, as the editor's request does."""

    def publish():
        started = time.perf_counter()
        article.save_revision().publish()
        return (time.perf_counter() - started) * 1000

    publish()
    queries, _elapsed = counted(publish)
    times = [publish() for _ in range(max(REPEAT // 3, 3))]
    return queries, statistics.median(times), min(times), 0


def rows():
    from learn.models import ArticlePage, LearnIndexPage

    index = LearnIndexPage.objects.live().first()
    last_page = max(1, -(-ArticlePage.objects.live().child_of(index).count() // index.articles_per_page))
    return [
        ("home", "/", False),
        ("learn index, first page", "/learn/", False),
        (f"learn index, last page ({last_page})", f"/learn/?page={last_page}", False),
        ("an article (cold)", f"/learn/{TEMPLATE_SLUG}/", True),
        (f"search, many hits ({MANY_HITS!r})", f"/search/?query={MANY_HITS}", False),
        (f"search, no hit ({NO_HITS!r})", f"/search/?query={NO_HITS}", False),
        ("feed", "/learn/feed/", False),
        ("sitemap index (cold)", "/sitemap.xml", True),
        ("sitemap, articles p. 1 (cold)", "/sitemap-article.xml", True),
        ("sitemap, content pages (cold)", "/sitemap-content-page.xml", True),
    ]


def measure_all(label):
    from django.test import Client

    from learn.models import ArticlePage

    client = Client()
    results = {}
    for name, path, cold in rows():
        # The last page's number changes with the size: compare it by its place, not its URL.
        key = name.split(" (")[0] if name.startswith("learn index, last") else name
        results[key] = (name, *measure(client, path, cold))
        print(f"  {label}: {name}: {results[key][1:]}", flush=True)
    article = ArticlePage.objects.get(slug=TEMPLATE_SLUG)
    results["publish"] = ("publish an article", *measure_publish(article))
    print(f"  {label}: publish: {results['publish'][1:]}", flush=True)
    return results


def print_table(small, large):
    n = f"{ARTICLES:,}"
    print(f"\n| request | queries demo / {n} | median ms demo / {n} | ratio | best ms demo / {n} | bytes demo / {n} |")
    print("|---|---|---|---|---|---|")
    for key, (_name, queries, ms, best, size) in small.items():
        shown, large_queries, large_ms, large_best, large_size = large[key]
        ratio = large_ms / ms if ms else float("nan")
        print(
            f"| {shown} | {queries} / {large_queries} | {ms:.1f} / {large_ms:.1f} | {ratio:.2f} "
            f"| {best:.1f} / {large_best:.1f} | {size:,} / {large_size:,} |"
        )


def main():
    name = f"agency_bench_scale_{os.getpid()}"
    parts = urllib.parse.urlsplit(SERVER_URL)
    database_url = urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    server_command(f'CREATE DATABASE "{name}"')
    try:
        configure(database_url)
        from django.core.management import call_command
        from django.db import connection

        print(f"preparing {name}: migrate, cache table, static files, demo content ...", flush=True)
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        call_command("load_demo_content", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        small = measure_all("demo")

        from benchmarks.scale_content import add_article_copies
        from learn.models import ArticlePage

        print(f"adding {ARTICLES:,} articles ...", flush=True)
        started = time.perf_counter()
        add_article_copies(ARTICLES, ArticlePage.objects.get(slug=TEMPLATE_SLUG))
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"  added in {time.perf_counter() - started:.0f} s", flush=True)
        large = measure_all(f"{ARTICLES:,}")
        print_table(small, large)
        connection.close()
    finally:
        server_command(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
