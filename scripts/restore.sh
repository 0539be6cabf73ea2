#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into DATABASE_URL:
#   scripts/restore.sh backups/20261125T030000Z.dump
# Objects in the dump are dropped and recreated (--clean --if-exists); stop the
# app servers and the task worker first. The media tarball of the same
# timestamp, if there is one, is unpacked into MEDIA_ROOT (files it holds are
# overwritten; others are left alone). Cached pages are dropped (manage.py
# clear_page_cache, run with the environment this script gets).
set -euo pipefail
cd "$(dirname "$0")/.."

dump=${1:?usage: scripts/restore.sh backups/<timestamp>.dump}
: "${DATABASE_URL:?Set DATABASE_URL to the database to restore into}"
[ -f "$dump" ] || { echo "restore: no such file: $dump" >&2; exit 1; }
MEDIA_ROOT=${MEDIA_ROOT:-media}

pg_restore --clean --if-exists --no-owner --no-acl --single-transaction --exit-on-error \
  --dbname="$DATABASE_URL" "$dump"
echo "database restored from $dump"

# Cached pages show the content from before the restore, and no signal saw the restore.
"${PYTHON:-.venv/bin/python}" manage.py clear_page_cache ||
  echo "restore: cached pages were not dropped; they expire within PAGE_CACHE_SECONDS" >&2

media=${dump%.dump}.media.tar.gz
if [ -f "$media" ]; then
  mkdir -p "$MEDIA_ROOT"
  tar -xzf "$media" -C "$MEDIA_ROOT"
  echo "media restored into $MEDIA_ROOT from $media"
fi
