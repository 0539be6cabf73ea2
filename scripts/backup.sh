#!/usr/bin/env bash
# Back up the site: a pg_dump of DATABASE_URL (custom format, restorable with
# scripts/restore.sh) and, when media live on the local disk, a tarball of
# MEDIA_ROOT, both named by the same UTC timestamp in BACKUP_DIR. Media on S3
# are not copied: bucket versioning keeps their history (see README).
# Keeps the newest BACKUP_KEEP backups (default 14) and deletes older ones.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DATABASE_URL:?Set DATABASE_URL (postgres://user@host:5432/name) to the database to back up}"
case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "backup: DATABASE_URL is not PostgreSQL; back up SQLite by copying its file while the site is stopped" >&2; exit 1 ;;
esac
BACKUP_DIR=${BACKUP_DIR:-backups}
BACKUP_KEEP=${BACKUP_KEEP:-14}
MEDIA_ROOT=${MEDIA_ROOT:-media}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$BACKUP_DIR"

# Written under a temporary name first, so a failed dump never looks like a backup.
pg_dump --format=custom --no-owner --no-acl --dbname="$DATABASE_URL" --file="$BACKUP_DIR/$stamp.dump.partial"
mv "$BACKUP_DIR/$stamp.dump.partial" "$BACKUP_DIR/$stamp.dump"
echo "database: $BACKUP_DIR/$stamp.dump ($(du -h "$BACKUP_DIR/$stamp.dump" | cut -f1))"

if [ -n "${AWS_STORAGE_BUCKET_NAME:-}" ]; then
  echo "media: on S3 bucket $AWS_STORAGE_BUCKET_NAME, kept by bucket versioning (not copied)"
elif [ -d "$MEDIA_ROOT" ]; then
  tar -czf "$BACKUP_DIR/$stamp.media.tar.gz.partial" -C "$MEDIA_ROOT" .
  mv "$BACKUP_DIR/$stamp.media.tar.gz.partial" "$BACKUP_DIR/$stamp.media.tar.gz"
  echo "media: $BACKUP_DIR/$stamp.media.tar.gz"
else
  echo "media: $MEDIA_ROOT does not exist, nothing to copy"
fi

# Oldest first; everything but the newest BACKUP_KEEP dumps (and their media) goes.
mapfile -t dumps < <(ls -1 "$BACKUP_DIR"/*.dump 2>/dev/null | sort)
for ((i = 0; i < ${#dumps[@]} - BACKUP_KEEP; i++)); do
  old=${dumps[$i]%.dump}
  rm -f "$old.dump" "$old.media.tar.gz"
  echo "removed old backup $old"
done
