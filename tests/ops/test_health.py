import pytest
from django.db import DatabaseError


@pytest.mark.django_db
def test_healthz_reports_ok_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    # With REDIS_URL set (CI's PostgreSQL pass) it also reports Redis: tests/ops/test_ops_cache.py.
    assert {key: response.json()[key] for key in ("status", "database")} == {"status": "ok", "database": "up"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_reports_503_when_database_fails(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr("home.views.connection.cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_robots_txt_points_at_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()
