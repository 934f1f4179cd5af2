#!/usr/bin/env bash
# Backup and restore of one profile of the local stack: both databases, the filestore and
# the secrets, in one archive. The Solr index is not backed up: it is derived data and is
# rebuilt from the restored database (`ckan search-index rebuild`).
#
#   deploy/backup.sh backup  [--profile portal|test] [--out DIR] [--no-secrets]
#   deploy/backup.sh restore FILE [--profile portal|test]
#   (test-1 … test-9, the numbered test slots, are accepted wherever test is)
#
# The profile (default portal, or $REGIONALIOT_PROFILE) picks the ini under $REGIONALIOT_DATA
# (ckan.ini or test.ini); database names, filestore and Solr core are read from that ini,
# so this script never disagrees with deploy/render_ini.py.
#
# Archive: $REGIONALIOT_DATA/backups/regionaliot-<profile>-YYYYmmdd-HHMMSS.tar.gz containing
#   manifest.txt     key=value: date, profile, CKAN version, git commit, counts
#   ckan.dump        pg_dump -Fc of CKAN's database
#   datastore.dump   pg_dump -Fc of the DataStore database
#   filestore/       the profile's ckan.storage_path (uploaded resources, images)
#   secrets/         $REGIONALIOT_DATA/secrets (unless --no-secrets)
#
# Secrets are included by default. A full restore needs them: API tokens stored in the
# database are JWTs signed with secret_key, so without the same key every token of the
# municipalities' upload scripts, the harvesters and xloader stops working after a restore.
# The price is that the archive is as sensitive as the secret store: it is written mode 600;
# encrypt it before it leaves the machine, or make offsite copies with --no-secrets (then
# a restore keeps the target's secrets and tokens must be re-issued).
#
# A failure prints one line starting with FAILED: and exits non-zero. A restore checks the
# whole archive before it touches anything, and after restoring compares the counts with the
# manifest, so it never reports success over a half-restored portal.
set -euo pipefail

# shellcheck source=deploy/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
FORMAT=regionaliot-backup-1

fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }

usage() {
  say "usage: $0 backup [--profile portal|test] [--out DIR] [--no-secrets]"
  say "       $0 restore FILE [--profile portal|test]"
  exit 64
}

# ---------------------------------------------------------------- arguments
CMD=${1:-}; [ $# -gt 0 ] && shift
PROFILE=${REGIONALIOT_PROFILE:-portal}
OUT=$DATA/backups
WITH_SECRETS=1
FILE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) [ $# -ge 2 ] || usage; PROFILE=$2; shift 2 ;;
    --profile=*) PROFILE=${1#*=}; shift ;;
    --out) [ $# -ge 2 ] || usage; OUT=$2; shift 2 ;;
    --no-secrets) WITH_SECRETS=0; shift ;;
    -*) usage ;;
    *) [ -z "$FILE" ] || usage; FILE=$1; shift ;;
  esac
done
case "$PROFILE" in
  portal) INI=$DATA/ckan.ini ;;
  test) INI=$DATA/test.ini ;;
  test-[1-9]) INI=$DATA/$PROFILE.ini ;;  # a numbered test slot (TEST_SLOT=N make test)
  *) fail "unknown profile '$PROFILE' (portal, test or test-N)" ;;
esac

# ---------------------------------------------------------------- the profile, from its ini
ini_get() {  # ini_get KEY: value of "KEY = value" in [app:main]
  sed -n "s/^$1[[:space:]]*=[[:space:]]*//p" "$INI" | head -n 1
}

read_profile() {
  [ -f "$INI" ] || fail "$INI is missing: run deploy/stack.sh services first (REGIONALIOT_DATA=$DATA)"
  local url
  url=$(ini_get sqlalchemy.url); CKAN_DB=${url##*/}
  url=$(ini_get ckan.datastore.write_url); DATASTORE_DB=${url##*/}
  STORAGE=$(ini_get ckan.storage_path)
  SOLR_URL=$(ini_get solr_url)
  [ -n "$CKAN_DB" ] && [ -n "$DATASTORE_DB" ] && [ -n "$STORAGE" ] && [ -n "$SOLR_URL" ] \
    || fail "$INI lacks sqlalchemy.url, ckan.datastore.write_url, ckan.storage_path or solr_url"
}

services_up() {
  as_pg "$PG_BIN/pg_isready" -q -h "$PGSOCK" -p "$PG_PORT" >/dev/null 2>&1 \
    && curl -sf -o /dev/null "$SOLR_URL/admin/ping"
}

# ---------------------------------------------------------------- counts (manifest and check)
sql_value() { psql_admin "$1" -tAc "$2"; }

counts() {  # counts FILESTORE_DIR: key=value lines describing what a backup holds
  local c=$CKAN_DB
  echo "datasets=$(sql_value "$c" "SELECT count(*) FROM package WHERE state = 'active' AND type = 'dataset'")"
  echo "packages=$(sql_value "$c" "SELECT count(*) FROM package")"
  echo "resources=$(sql_value "$c" "SELECT count(*) FROM resource WHERE state = 'active'")"
  echo "uploads=$(sql_value "$c" "SELECT count(*) FROM resource WHERE state = 'active' AND url_type = 'upload'")"
  echo "organizations=$(sql_value "$c" "SELECT count(*) FROM \"group\" WHERE is_organization AND state = 'active'")"
  echo "users=$(sql_value "$c" "SELECT count(*) FROM \"user\" WHERE state = 'active'")"
  echo "datastore_tables=$(sql_value "$DATASTORE_DB" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
  local files=0
  [ -d "$1" ] && files=$(find "$1" -type f | wc -l)
  echo "files=$files"
}

# ---------------------------------------------------------------- backup
cmd_backup() {
  read_profile
  services_up || fail "PostgreSQL or Solr is not running: run deploy/stack.sh services first"
  mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
  exec 9>"$DATA/.backup.lock"
  flock -n 9 || fail "another backup or restore is running in $DATA"
  local stamp name stage
  stamp=$(date +%Y%m%d-%H%M%S)
  name=regionaliot-$PROFILE-$stamp.tar.gz
  [ -e "$OUT/$name" ] && fail "$OUT/$name already exists"
  stage=$(mktemp -d "$OUT/.backup-$stamp.XXXXXX")
  trap 'rm -rf "$stage" "$OUT/$name.tmp"' EXIT
  umask 077

  # Databases first, files second: CKAN writes an upload's file after committing its
  # resource row, so every resource in the dump has its file in the tar that follows.
  as_pg "$PG_BIN/pg_dump" -Fc -h "$PGSOCK" -p "$PG_PORT" -U postgres -d "$CKAN_DB" >"$stage/ckan.dump" \
    || fail "pg_dump $CKAN_DB"
  as_pg "$PG_BIN/pg_dump" -Fc -h "$PGSOCK" -p "$PG_PORT" -U postgres -d "$DATASTORE_DB" >"$stage/datastore.dump" \
    || fail "pg_dump $DATASTORE_DB"

  local version commit
  version=$("$PY" -c 'import ckan; print(ckan.__version__)') || fail "reading the CKAN version"
  commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  {
    echo "format=$FORMAT"
    echo "date=$(date -Iseconds)"
    echo "profile=$PROFILE"
    echo "ckan_version=$version"
    echo "commit=$commit"
    echo "ckan_db=$CKAN_DB"
    echo "datastore_db=$DATASTORE_DB"
    echo "secrets=$WITH_SECRETS"
    counts "$STORAGE"
  } >"$stage/manifest.txt" || fail "counting what is backed up"

  local members=(manifest.txt ckan.dump datastore.dump)
  if [ "$WITH_SECRETS" = 1 ] && [ -d "$SECRETS" ]; then
    cp -a "$SECRETS" "$stage/secrets"
    members+=(secrets)
  fi
  # The filestore goes in as filestore/ whatever the profile calls it (storage, storage-test),
  # so a portal backup can be restored into the test profile and back.
  local tar_store=(-C "$stage" filestore)
  if [ -d "$STORAGE" ]; then
    tar_store=(-C "$(dirname "$STORAGE")" --transform "s,^$(basename "$STORAGE"),filestore," "$(basename "$STORAGE")")
  else
    mkdir "$stage/filestore"
  fi
  tar -czf "$OUT/$name.tmp" -C "$stage" "${members[@]}" "${tar_store[@]}" \
    || fail "writing $OUT/$name.tmp"
  mv "$OUT/$name.tmp" "$OUT/$name"
  rm -rf "$stage"; trap - EXIT

  say "Backup of the $PROFILE profile: $OUT/$name"
  tar -xzOf "$OUT/$name" manifest.txt | grep -E '^(date|ckan_version|datasets|resources|uploads|files|datastore_tables|secrets)=' | sed 's/^/  /'
  [ "$WITH_SECRETS" = 1 ] && say "  (contains the secrets: keep it as safe as $SECRETS)"
  return 0
}

# ---------------------------------------------------------------- restore
manifest_get() { sed -n "s/^$1=//p" "$STAGE/manifest.txt" | head -n 1; }

restore_db() {  # restore_db DUMP DB
  # A fresh database rather than pg_restore --clean: --clean leaves behind tables that were
  # created after the backup (DataStore tables, newer migrations). FORCE ends the sessions
  # still connected to the old database (a stopped portal has none; the test suite has).
  psql_admin postgres -c "DROP DATABASE IF EXISTS \"$2\" WITH (FORCE)" >/dev/null \
    && psql_admin postgres -c "CREATE DATABASE \"$2\" OWNER ckan_default ENCODING 'UTF8' TEMPLATE template0" >/dev/null \
    || fail "recreating database $2"
  # One transaction: the database is either the backup's or empty, never half of it.
  as_pg "$PG_BIN/pg_restore" -h "$PGSOCK" -p "$PG_PORT" -U postgres -d "$2" \
      --single-transaction --exit-on-error <"$1" \
    || fail "pg_restore into $2 (it is now empty; rerun the restore)"
}

restore_secrets() {  # sets SECRETS_CHANGED=1 when a secret file was replaced or added
  SECRETS_CHANGED=0
  [ -d "$STAGE/secrets" ] || return 0
  mkdir -p "$SECRETS"; chmod 700 "$SECRETS"
  local f name
  for f in "$STAGE/secrets"/*; do
    [ -f "$f" ] || continue
    name=$(basename "$f")
    if [ -f "$SECRETS/$name" ] && cmp -s "$f" "$SECRETS/$name"; then continue; fi
    # Keep what is replaced: a secret lost is not recoverable.
    [ -f "$SECRETS/$name" ] && cp -p "$SECRETS/$name" "$SECRETS/$name.before-restore-$STAMP"
    install -m 600 "$f" "$SECRETS/$name"
    SECRETS_CHANGED=1
  done
}

cmd_restore() {
  [ -n "$FILE" ] || fail "restore needs the archive: make restore FILE=var/backups/regionaliot-portal-YYYYmmdd-HHMMSS.tar.gz"
  [ -f "$FILE" ] && [ -r "$FILE" ] || fail "no readable backup at $FILE"
  FILE=$(cd "$(dirname "$FILE")" && pwd)/$(basename "$FILE")

  # Web, worker and harvest consumers would write into a database being replaced.
  local name
  if [ "$PROFILE" = portal ]; then
    for name in web worker harvest-gather harvest-fetch; do
      pid_alive "$RUN/$name.pid" && fail "the portal's $name process is running: stop it first (deploy/stack.sh down; restore starts the services it needs)"
    done
  fi

  exec 9>"$DATA/.backup.lock"
  flock -n 9 || fail "another backup or restore is running in $DATA"

  # Unpack and check everything before anything is touched. The staging directory is on
  # the same filesystem as the filestore so that moving it into place is a rename.
  STAMP=$(date +%Y%m%d-%H%M%S)
  STAGE=$(mktemp -d "$DATA/.restore-$STAMP.XXXXXX")
  trap 'rm -rf "$STAGE"' EXIT
  tar -xzf "$FILE" -C "$STAGE" 2>"$STAGE/tar.err" || fail "$FILE is not a readable archive ($(head -n 1 "$STAGE/tar.err"))"
  [ -f "$STAGE/manifest.txt" ] && [ "$(manifest_get format)" = "$FORMAT" ] || fail "$FILE is not a regionaliot backup (no $FORMAT manifest)"
  local member
  for member in ckan.dump datastore.dump; do
    [ -s "$STAGE/$member" ] || fail "$FILE lacks $member"
    "$PG_BIN/pg_restore" --list "$STAGE/$member" >/dev/null 2>&1 || fail "$member in $FILE is damaged"
  done
  [ -d "$STAGE/filestore" ] || fail "$FILE lacks filestore/"
  local installed
  installed=$("$PY" -c 'import ckan; print(ckan.__version__)') || fail "reading the installed CKAN version"
  [ "$(manifest_get ckan_version)" = "$installed" ] \
    || say "Note: backup made with CKAN $(manifest_get ckan_version), installed is $installed; the databases are migrated after the restore."

  # Secrets before services: deploy/stack.sh services sets the database roles' passwords
  # from them and renders the ini files with them.
  restore_secrets
  if [ "$SECRETS_CHANGED" = 1 ] || [ ! -f "$INI" ] || ! { read_profile && services_up; }; then
    say "Starting the services and rendering the ini files (deploy/stack.sh services)"
    "$ROOT/deploy/stack.sh" services >/dev/null || fail "deploy/stack.sh services (see its message above)"
  fi
  read_profile

  say "Restoring $FILE into the $PROFILE profile ($CKAN_DB, $DATASTORE_DB, $STORAGE)"
  restore_db "$STAGE/ckan.dump" "$CKAN_DB"
  restore_db "$STAGE/datastore.dump" "$DATASTORE_DB"

  # Swap the filestore in by renaming; the old one is removed only after the swap.
  local old=""
  if [ -e "$STORAGE" ]; then
    old="$STORAGE.before-restore-$STAMP"
    mv "$STORAGE" "$old" || fail "moving the old filestore $STORAGE aside"
  fi
  mkdir -p "$(dirname "$STORAGE")"
  mv "$STAGE/filestore" "$STORAGE" || fail "moving the restored filestore into $STORAGE (old one kept at $old)"
  [ -n "$old" ] && rm -rf "$old"

  local log=$DATA/log/restore.log
  mkdir -p "$DATA/log"
  # A backup from an older release is migrated forward; DataStore permissions are
  # database-level grants, which pg_dump does not carry, so they are set again.
  {
    "$CKAN" -c "$INI" db upgrade \
      && "$CKAN" -c "$INI" db upgrade -p activity \
      && "$CKAN" -c "$INI" db upgrade -p harvest
  } >>"$log" 2>&1 || fail "ckan db upgrade after the restore (log: $log)"
  "$CKAN" -c "$INI" datastore set-permissions 2>>"$log" | psql_admin "$DATASTORE_DB" >>"$log" 2>&1 \
    || fail "datastore set-permissions after the restore (log: $log)"
  # --clear: documents of datasets that no longer exist must not stay findable.
  "$CKAN" -c "$INI" search-index rebuild --clear --quiet >>"$log" 2>&1 \
    || fail "ckan search-index rebuild (log: $log)"

  # The restored data must be what the manifest says the backup held.
  local now key want got bad=""
  now=$(counts "$STORAGE") || fail "counting the restored data"
  for key in datasets packages resources uploads organizations users datastore_tables files; do
    want=$(manifest_get "$key"); got=$(sed -n "s/^$key=//p" <<<"$now")
    [ "$want" = "$got" ] || bad+=" $key: backup $want, restored $got;"
  done
  [ -z "$bad" ] || fail "restored data differs from the manifest:$bad"

  say "Restored the $PROFILE profile from $FILE (made $(manifest_get date), CKAN $(manifest_get ckan_version)):"
  sed 's/^/  /' <<<"$now"
  if [ "$SECRETS_CHANGED" = 1 ]; then say "  secrets: restored from the backup (replaced ones kept as *.before-restore-$STAMP)"; fi
  say "  search index: rebuilt"
  [ "$PROFILE" = portal ] && say "Start the portal again with: make up"
  return 0
}

case "$CMD" in
  backup) [ -z "$FILE" ] || usage; cmd_backup ;;
  restore) cmd_restore ;;
  *) usage ;;
esac
