#!/usr/bin/env bash
# Backup and restore of the production compose stack (`make backup STACK=production`,
# `make restore STACK=production FILE=...`), through podman exec: nothing is published but
# nginx, so the databases and the filestore are reached inside their containers.
#
#   deploy/production/backup.sh backup  [--out DIR]
#   deploy/production/backup.sh restore FILE
#
# The stack is the compose project $PROD_PROJECT (default regionaliot, the compose file's
# name). The archive has deploy/backup.sh's format (regionaliot-backup-1: manifest.txt,
# ckan.dump, datastore.dump, filestore/) without secrets/: the stack's secrets live in the
# operator's secret files (REGIONALIOT_SECRETS), and a fresh stack given the same files
# keeps every API token valid after a restore. The Solr index is rebuilt, not backed up.
#
# A restore checks the archive before it touches anything, replaces both databases (fresh
# ones, one transaction each), the filestore, sets the DataStore grants again, rebuilds the
# search index, restarts the CKAN containers and compares the counts with the manifest.
# Failures print one line starting with FAILED: and exit non-zero.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${REGIONALIOT_DATA:-$ROOT/var}
PROJECT=${PROD_PROJECT:-regionaliot}
FORMAT=regionaliot-backup-1
# The CKAN containers stopped during a restore (they would write into a database being
# replaced) and started again after it.
CKAN_SERVICES=(web1 web2 worker harvest-gather harvest-fetch harvest-run feeds-ingest)
say() { printf '%s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }

container() {  # container SERVICE: the name of the service's container in this project
  podman ps -a --filter "label=io.podman.compose.project=$PROJECT" \
    --filter "label=com.docker.compose.service=$1" --format '{{.Names}}' | head -n 1
}
running() { [ "$(podman inspect --format '{{.State.Running}}' "$1" 2>/dev/null)" = true ]; }
need_running() {  # need_running SERVICE: prints the container name or fails
  local c; c=$(container "$1")
  [ -n "$c" ] && running "$c" || fail "the $1 container of project $PROJECT is not running (podman-compose -p $PROJECT up -d)"
  printf '%s' "$c"
}
psql_db() {  # psql_db DB SQL...: as the superuser, inside the db container
  podman exec -i "$DB" psql -X -q -v ON_ERROR_STOP=1 -h /run/postgresql -U postgres -d "$1" "${@:2}"
}
sql_value() { psql_db "$1" -tAc "$2"; }

counts() {  # the manifest's counts (as deploy/backup.sh), read inside the containers
  local c=ckan_default files
  echo "datasets=$(sql_value $c "SELECT count(*) FROM package WHERE state = 'active' AND type = 'dataset'")"
  echo "packages=$(sql_value $c "SELECT count(*) FROM package")"
  echo "resources=$(sql_value $c "SELECT count(*) FROM resource WHERE state = 'active'")"
  echo "uploads=$(sql_value $c "SELECT count(*) FROM resource WHERE state = 'active' AND url_type = 'upload'")"
  echo "organizations=$(sql_value $c "SELECT count(*) FROM \"group\" WHERE is_organization AND state = 'active'")"
  echo "users=$(sql_value $c "SELECT count(*) FROM \"user\" WHERE state = 'active'")"
  echo "datastore_tables=$(sql_value datastore_default "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
  # The migrate role's marker is the stack's, not data.
  files=$(podman exec "$WEB" find /srv/data/storage -type f ! -name .regionaliot-migrated | wc -l)
  echo "files=$files"
}

cmd_backup() {
  local out=${OUT:-$DATA/production/backups}
  DB=$(need_running db); WEB=$(need_running web1)
  mkdir -p "$out"; out=$(cd "$out" && pwd)
  local stamp name stage
  stamp=$(date +%Y%m%d-%H%M%S)
  name=regionaliot-production-$stamp.tar.gz
  stage=$(mktemp -d "$out/.backup-$stamp.XXXXXX")
  trap 'rm -rf "$stage" "$out/$name.tmp"' EXIT
  umask 077
  # Databases first, files second: CKAN writes an upload's file after committing its
  # resource row, so every resource in the dump has its file in the tar that follows.
  podman exec "$DB" pg_dump -Fc -h /run/postgresql -U postgres -d ckan_default >"$stage/ckan.dump" || fail "pg_dump ckan_default"
  podman exec "$DB" pg_dump -Fc -h /run/postgresql -U postgres -d datastore_default >"$stage/datastore.dump" || fail "pg_dump datastore_default"
  mkdir "$stage/filestore"
  podman exec "$WEB" tar -C /srv/data/storage --exclude ./.regionaliot-migrated -cf - . | tar -C "$stage/filestore" -xf - \
    || fail "copying the filestore out of $WEB"
  {
    echo "format=$FORMAT"
    echo "date=$(date -Iseconds)"
    echo "profile=production"
    echo "ckan_version=$(podman exec "$WEB" python -c 'import ckan; print(ckan.__version__)')"
    echo "commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "ckan_db=ckan_default"
    echo "datastore_db=datastore_default"
    echo "secrets=0"
    # The migrations the databases are at (the migrate role's marker): a restore into a
    # stack whose image has other migrations runs them.
    echo "migrations=$(podman exec "$WEB" cat /srv/data/storage/.regionaliot-migrated)"
    counts
  } >"$stage/manifest.txt" || fail "counting what is backed up"
  tar -czf "$out/$name.tmp" -C "$stage" manifest.txt ckan.dump datastore.dump filestore || fail "writing $out/$name.tmp"
  mv "$out/$name.tmp" "$out/$name"
  rm -rf "$stage"; trap - EXIT
  say "Backup of the production stack $PROJECT: $out/$name"
  tar -xzOf "$out/$name" manifest.txt | grep -E '^(datasets|resources|uploads|files|datastore_tables)=' | sed 's/^/  /'
}

restore_db() {  # restore_db DUMP DB: a fresh database (see deploy/backup.sh), one transaction
  psql_db postgres -c "DROP DATABASE IF EXISTS \"$2\" WITH (FORCE)" \
    && psql_db postgres -c "CREATE DATABASE \"$2\" OWNER ckan_default ENCODING 'UTF8' TEMPLATE template0" \
    || fail "recreating database $2"
  podman exec -i "$DB" pg_restore -h /run/postgresql -U postgres -d "$2" --single-transaction --exit-on-error <"$1" \
    || fail "pg_restore into $2 (it is now empty; rerun the restore)"
}

cmd_restore() {
  [ -n "$FILE" ] && [ -r "$FILE" ] || fail "no readable backup at '${FILE}': make restore STACK=production FILE=var/production/backups/regionaliot-production-....tar.gz"
  DB=$(need_running db); WEB=$(need_running web1)
  # STAGE is global, not local: the EXIT trap runs after this function returned, where a
  # local is unset (set -u failed a restore that had succeeded, "stage: unbound variable").
  STAGE=$(mktemp -d "$DATA/production/.restore.XXXXXX")
  trap 'rm -rf "$STAGE"' EXIT
  tar -xzf "$FILE" -C "$STAGE" || fail "$FILE is not a readable archive"
  [ "$(sed -n 's/^format=//p' "$STAGE/manifest.txt" 2>/dev/null)" = "$FORMAT" ] || fail "$FILE is not a regionaliot backup (no $FORMAT manifest)"
  local member
  for member in ckan.dump datastore.dump; do
    [ -s "$STAGE/$member" ] || fail "$FILE lacks $member"
    podman exec -i "$DB" pg_restore --list <"$STAGE/$member" >/dev/null 2>&1 || fail "$member in $FILE is damaged"
  done
  [ -d "$STAGE/filestore" ] || fail "$FILE lacks filestore/"

  say "Restoring $FILE into the production stack $PROJECT"
  # The filestore first, while web1 still runs (the volume is reached through it): the old
  # files go, the marker that the migrations ran stays.
  podman exec "$WEB" find /srv/data/storage -mindepth 1 -maxdepth 1 ! -name .regionaliot-migrated -exec rm -rf {} + \
    || fail "emptying the filestore"
  tar -C "$STAGE/filestore" -cf - . | podman exec -i "$WEB" tar -C /srv/data/storage -xf - --no-same-owner \
    || fail "copying the filestore into $WEB"
  local service c stopped=()
  for service in "${CKAN_SERVICES[@]}"; do
    c=$(container "$service"); [ -n "$c" ] && running "$c" || continue
    [ "$service" = web1 ] && continue
    podman stop -t 20 "$c" >/dev/null; stopped+=("$c")
  done
  restore_db "$STAGE/ckan.dump" ckan_default
  restore_db "$STAGE/datastore.dump" datastore_default
  # A backup from another release is migrated forward (the migrate role: minutes, it loads
  # CKAN once per plugin chain), only if its migrations differ from this image's.
  if [ "$(sed -n 's/^migrations=//p' "$STAGE/manifest.txt")" != "$(podman exec "$WEB" cat /srv/data/storage/.regionaliot-migrated)" ]; then
    say "  the backup's migrations differ from this image's: migrating"
    podman exec "$WEB" regionaliot-entrypoint migrate >"$STAGE/migrate.log" 2>&1 \
      || { tail -5 "$STAGE/migrate.log" >&2; fail "migrating the restored databases"; }
  else
    # DataStore grants are database-level: pg_dump does not carry them.
    podman exec "$WEB" ckan -c /srv/data/ckan.ini datastore set-permissions 2>"$STAGE/grants.log" \
      | psql_db datastore_default >>"$STAGE/grants.log" 2>&1 || { tail -5 "$STAGE/grants.log" >&2; fail "datastore set-permissions"; }
  fi
  # --clear: documents of datasets that no longer exist must not stay findable.
  podman exec "$WEB" ckan -c /srv/data/ckan.ini search-index rebuild --clear --quiet >"$STAGE/index.log" 2>&1 \
    || { tail -5 "$STAGE/index.log" >&2; fail "ckan search-index rebuild"; }
  # Pooled connections pointed at the dropped databases: every CKAN process starts again.
  podman restart -t 20 "$WEB" >/dev/null
  [ ${#stopped[@]} -eq 0 ] || podman start "${stopped[@]}" >/dev/null

  local now key want got bad=""
  now=$(counts) || fail "counting the restored data"
  for key in datasets packages resources uploads organizations users datastore_tables files; do
    want=$(sed -n "s/^$key=//p" "$STAGE/manifest.txt"); got=$(sed -n "s/^$key=//p" <<<"$now")
    [ "$want" = "$got" ] || bad+=" $key: backup $want, restored $got;"
  done
  [ -z "$bad" ] || fail "restored data differs from the manifest:$bad"
  say "Restored the production stack $PROJECT from $FILE:"
  sed 's/^/  /' <<<"$now"
  rm -rf "$STAGE"; trap - EXIT
}

CMD=${1:-}; [ $# -gt 0 ] && shift
OUT=""; FILE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT=$2; shift 2 ;;
    -*) fail "unknown option $1" ;;
    *) FILE=$1; shift ;;
  esac
done
case "$CMD" in
  backup) cmd_backup ;;
  restore) cmd_restore ;;
  *) say "usage: $0 backup [--out DIR] | restore FILE"; exit 64 ;;
esac
