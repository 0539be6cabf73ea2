"""Backups round-trip: what scripts/backup.sh saved, scripts/restore.sh puts back, data and media."""

import os
import subprocess
from pathlib import Path

import pytest
import redis

from config import page_cache
from tests.ops_services import ROOT


def run(script, *args, **env):
    result = subprocess.run(
        ["bash", f"scripts/{script}", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def site_state(ops_stack, database):
    titles = ops_stack.postgres.query("SELECT title FROM wagtailcore_page ORDER BY path", database=database)
    packages = ops_stack.postgres.query("SELECT slug, price FROM offers_demopackage ORDER BY slug", database=database)
    return titles, packages


@pytest.mark.postgres
def test_backup_then_restore_brings_back_changed_and_dropped_data_and_media(ops_stack, tmp_path):
    media = tmp_path / "media"
    (media / "original_images").mkdir(parents=True)
    (media / "original_images" / "team.jpg").write_bytes(b"\xff\xd8 a photo")
    backups = tmp_path / "backups"
    output = run("backup.sh", DATABASE_URL=ops_stack.postgres.url(), BACKUP_DIR=str(backups), MEDIA_ROOT=str(media))
    (dump,) = backups.glob("*.dump")
    assert (backups / f"{dump.stem}.media.tar.gz").exists()
    assert str(dump.relative_to(tmp_path)) in output.replace(str(tmp_path) + "/", "")

    # A fresh database stands in for the server being replaced: restore, and it is the site as backed up.
    ops_stack.postgres.create_database("restored")
    target = ops_stack.postgres.url("restored")
    shared_cache = redis.Redis.from_url(ops_stack.redis.url)
    generation_key = f"{ops_stack.env['CACHE_KEY_PREFIX']}:1:{page_cache.GENERATION_KEY}"
    generation = shared_cache.get(generation_key)
    run(
        "restore.sh",
        str(dump),
        DATABASE_URL=target,
        MEDIA_ROOT=str(tmp_path / "restored-media"),
        REDIS_URL=ops_stack.env["REDIS_URL"],
        CACHE_KEY_PREFIX=ops_stack.env["CACHE_KEY_PREFIX"],
    )
    # Pages cached before the restore show what the restore took back: every app server drops them.
    assert shared_cache.get(generation_key) not in (None, generation)
    expected = site_state(ops_stack, "agency")
    assert site_state(ops_stack, "restored") == expected
    assert expected[0] and expected[1], "the backed-up site has pages and packages"
    assert (tmp_path / "restored-media" / "original_images" / "team.jpg").read_bytes() == b"\xff\xd8 a photo"

    # Someone renames pages and drops a table; restoring over it puts everything back.
    ops_stack.postgres.execute("UPDATE wagtailcore_page SET title = 'vandalised'", database="restored")
    ops_stack.postgres.execute("DROP TABLE offers_orderevent CASCADE", database="restored")
    assert site_state(ops_stack, "restored") != expected
    run("restore.sh", str(dump), DATABASE_URL=target, MEDIA_ROOT=str(tmp_path / "restored-media"))
    assert site_state(ops_stack, "restored") == expected
    assert ops_stack.postgres.query("SELECT count(*) FROM offers_orderevent", database="restored")


@pytest.mark.postgres
def test_backup_keeps_only_the_newest_backups(ops_stack, tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    for stamp in ["20260101T000000Z", "20260102T000000Z", "20260103T000000Z"]:
        (backups / f"{stamp}.dump").write_bytes(b"old")
        (backups / f"{stamp}.media.tar.gz").write_bytes(b"old")
    run(
        "backup.sh",
        DATABASE_URL=ops_stack.postgres.url(),
        BACKUP_DIR=str(backups),
        BACKUP_KEEP="2",
        MEDIA_ROOT=str(tmp_path / "none"),
    )
    names = sorted(path.name for path in backups.iterdir())
    assert len([name for name in names if name.endswith(".dump")]) == 2
    assert "20260103T000000Z.dump" in names
    assert "20260101T000000Z.dump" not in names and "20260101T000000Z.media.tar.gz" not in names


def test_backup_refuses_a_database_that_is_not_postgresql(tmp_path):
    result = subprocess.run(
        ["bash", "scripts/backup.sh"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3", "BACKUP_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "not PostgreSQL" in result.stderr
    assert not list(Path(tmp_path).glob("*.dump"))
