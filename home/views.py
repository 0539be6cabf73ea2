from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from redis.exceptions import RedisError


@never_cache
@require_GET
def healthz(request):
    """For load balancers and uptime checks: 503 when the database does not answer, else 200.

    Redis, when configured, is reported but does not fail the check: it holds only
    cache, so without it the site still serves (slower), and taking every app
    server out of the load balancer for it would turn a slowdown into an outage.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    report = {"status": "ok", "database": "up"}
    redis_up = redis_answers()
    if redis_up is not None:
        report["redis"] = "up" if redis_up else "down"
        if not redis_up:
            report["status"] = "degraded"
    return JsonResponse(report)


def redis_answers():
    """True or False when the default cache is Redis, None when it is not."""
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        return None
    try:
        return bool(cache._cache.get_client(write=True).ping())
    except RedisError:
        return False


@require_GET
def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /checkout/",
        "Disallow: /orders/",
        "Disallow: /go/",  # banner click counter: crawlers following it would count as clicks
        f"Sitemap: {sitemap_url}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links; send them to the SVG icon."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
