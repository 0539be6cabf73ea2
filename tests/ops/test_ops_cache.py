"""Redis down means slower, not broken: the cache backend logs and misses; /healthz reports Redis without failing."""

import logging
import os
import shutil
import socket
import threading
import uuid

import pytest
from django.core.cache import caches

from config import resilient_cache
from config.resilient_cache import ResilientRedisCache
from tests.checkout_helpers import only_order, post_buy
from tests.conftest import free_port, missing_service
from tests.factories import offer_page
from tests.ops_services import OwnRedis


def redis_cache(location):
    return ResilientRedisCache(
        location,
        {
            "KEY_PREFIX": f"ops-{uuid.uuid4().hex[:8]}",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    )


@pytest.fixture
def dead_redis(monkeypatch):
    """A cache pointed at a loopback port where nothing listens, trying and logging every call."""
    monkeypatch.setattr(resilient_cache, "LOG_EVERY", 0)
    monkeypatch.setattr(resilient_cache, "RETRY_AFTER", 0)
    return redis_cache(f"redis://127.0.0.1:{free_port()}/0")


def test_unreachable_redis_reads_as_a_miss_and_drops_writes(dead_redis, caplog):
    with caplog.at_level(logging.WARNING, logger="config.resilient_cache"):
        assert dead_redis.get("page", "fallback") == "fallback"
        assert dead_redis.get("page", default="fallback") == "fallback"
        assert dead_redis.get_many(["a", "b"]) == {}
        assert dead_redis.add("a", 1) is False
        assert dead_redis.set("a", 1) is None
        assert dead_redis.set_many({"a": 1, "b": 2}) == ["a", "b"]
        assert dead_redis.has_key("a") is False
        assert dead_redis.delete("a") is False
        assert dead_redis.get_or_set("a", "computed") == "computed"
        assert dead_redis.clear() is False
        with pytest.raises(ValueError):
            dead_redis.incr("counter")
    operations = [
        r.cache_operation for r in caplog.records if r.getMessage() == "cache unavailable, serving without it"
    ]
    assert {"get", "get_many", "add", "set", "set_many", "has_key", "delete", "clear", "incr"} <= set(operations)


def test_an_outage_is_logged_once_per_interval_not_once_per_call(caplog):
    cache = redis_cache(f"redis://127.0.0.1:{free_port()}/0")
    with caplog.at_level(logging.WARNING, logger="config.resilient_cache"):
        for _ in range(20):
            cache.get("page")
    assert len([r for r in caplog.records if r.name == "config.resilient_cache"]) == 1


@pytest.mark.django_db
def test_pages_checkout_and_health_work_while_the_cache_is_unreachable(client, settings, stripe_api):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.resilient_cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }
    offer = offer_page()
    assert client.get(offer.url).status_code == 200
    response = post_buy(client, offer)
    assert response.status_code == 303
    assert response["Location"] == only_order().stripe_session_url
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "degraded", "database": "up", "redis": "down"}


@pytest.mark.django_db
@pytest.mark.redis
def test_real_redis_stores_and_reports_up(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.resilient_cache.ResilientRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": f"ops-{uuid.uuid4().hex[:8]}",
        }
    }
    cache = caches["default"]
    cache.set("greeting", "hello", 30)
    assert cache.get("greeting") == "hello"
    assert cache.add("counter", 0) is True
    assert cache.incr("counter") == 1
    assert client.get("/healthz").json() == {"status": "ok", "database": "up", "redis": "up"}
    cache.delete_many(["greeting", "counter"])


@pytest.fixture
def read_only_redis():
    """A Redis left a replica after a failover (its primary gone): reads answer, every write is refused (READONLY)."""
    if not shutil.which("redis-server"):
        missing_service("needs redis-server (Debian package redis-server)")
    replica = OwnRedis("--replicaof", "127.0.0.1", str(free_port())).start()
    yield replica.url
    replica.stop()


@pytest.mark.django_db
@pytest.mark.redis
def test_pages_and_checkout_work_while_redis_refuses_writes(client, settings, stripe_api, read_only_redis, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.resilient_cache.ResilientRedisCache",
            "LOCATION": read_only_redis,
            "KEY_PREFIX": f"ops-{uuid.uuid4().hex[:8]}",
        }
    }
    offer = offer_page()
    with caplog.at_level(logging.WARNING, logger="config.resilient_cache"):
        assert client.get(offer.url).status_code == 200
        response = post_buy(client, offer)
    assert response.status_code == 303
    assert response["Location"] == only_order().stripe_session_url
    assert any(r.getMessage() == "cache unavailable, serving without it" for r in caplog.records)


@pytest.fixture
def hung_redis():
    """A Redis that accepts connections and never answers (a paused VM); yields its URL and the connections made."""
    server = socket.create_server(("127.0.0.1", 0), backlog=64)
    server.settimeout(0.1)
    connections, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connections.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0", connections
    stop.set()
    thread.join()
    server.close()
    for connection in connections:
        connection.close()


@pytest.mark.django_db
def test_a_hung_redis_costs_a_page_one_timeout_not_one_per_cache_call(client, settings, hung_redis, monkeypatch):
    url, connections = hung_redis
    monkeypatch.setattr(resilient_cache, "RETRY_AFTER", 60)  # the whole test inside one window, however slow
    settings.PAGE_CACHE_SECONDS = 600  # the page cache and its memos: a dozen cache calls per page
    settings.CACHES = {
        "default": {
            "BACKEND": "config.resilient_cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    offer = offer_page()
    assert client.get("/").status_code == 200
    assert client.get(offer.url).status_code == 200
    # Each call that waited for Redis timed out and dropped its connection: one try for both pages.
    assert len(connections) == 1
