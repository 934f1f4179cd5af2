#!/usr/bin/env bash
# Entry point of the CKAN image: render the ini from the environment and the secrets, then
# run one role.
#
#   web             migrations (unless CKAN_MIGRATE_ON_START=false), then gunicorn on :5000
#   migrate         ckan db upgrade, plugin migrations, DataStore permissions; then exit
#   worker          ckan jobs worker (xloader and other background jobs)
#   harvest-gather  ckan harvester gather-consumer
#   harvest-fetch   ckan harvester fetch-consumer
#   harvest-run     `ckan harvester run` every HARVEST_RUN_INTERVAL seconds (default 900):
#                   starts due jobs and marks finished ones
#   feeds-ingest    the feeds' MQTT ingestor (`ckan regionaliot feeds ingest`)
#   ckan ARGS...    any ckan command, e.g. `ckan search-index rebuild`
#
# Settings (deploy/render_ini.py reads them): PG_HOST PG_PORT SOLR_HOST SOLR_PORT REDIS_HOST
# REDIS_PORT CKAN_SITE_URL; MQTT_HOST MQTT_PORT (the feeds' broker, set in the ini here). Secrets, each from $NAME_FILE, /run/secrets/<name> (Docker
# secrets) or $NAME, in that order: db_ckan_password db_datastore_password secret_key
# xloader_token_portal mqtt_ingestor mqtt_simulator (the last three may be missing: no
# sysadmin token yet, no feeds).
set -euo pipefail

DATA=${REGIONALIOT_DATA:-/srv/data}
INI=${CKAN_INI:-$DATA/ckan.ini}
APP=/srv/app
export REGIONALIOT_DATA=$DATA PG_HOST=${PG_HOST:-db} PG_PORT=${PG_PORT:-5432}

fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }

secret_files() {
  # render_ini.py reads $REGIONALIOT_DATA/secrets/<name>; fill them from what Docker gives.
  mkdir -p "$DATA/secrets"; chmod 700 "$DATA/secrets"
  local name upper file_var value
  for name in db_ckan_password db_datastore_password secret_key xloader_token_portal mqtt_ingestor mqtt_simulator; do
    upper=$(tr '[:lower:]' '[:upper:]' <<<"$name"); file_var=${upper}_FILE
    if [ -n "${!file_var:-}" ]; then value=$(cat "${!file_var}")
    elif [ -r "/run/secrets/$name" ]; then value=$(cat "/run/secrets/$name")
    elif [ -n "${!upper:-}" ]; then value=${!upper}
    else value=""
    fi
    value=$(tr -d '[:space:]' <<<"$value")
    if [ -z "$value" ]; then
      case "$name" in xloader_token_portal|mqtt_*) rm -f "$DATA/secrets/$name"; continue ;; esac
      fail "secret $name is not set (Docker secret, ${upper}_FILE or $upper)"
    fi
    (umask 077; printf '%s' "$value" >"$DATA/secrets/$name")
  done
}

render() {
  # render_ini.py reads SOLR_HOST, REDIS_HOST, PG_HOST, XLOADER_SITE_URL, CKAN_COOKIE_SECURE.
  python "$APP/deploy/render_ini.py" portal "$INI" || fail "rendering $INI"
  # The feeds' broker: the template leaves it at its default (127.0.0.1, the native stack).
  if [ -n "${MQTT_HOST:-}" ]; then
    ckan config-tool "$INI" "ckanext.regionaliot.feeds.mqtt_host=$MQTT_HOST" \
      "ckanext.regionaliot.feeds.mqtt_port=${MQTT_PORT:-1883}" >/dev/null || fail "setting the MQTT broker in $INI"
  fi
}

wait_for() {  # wait_for WHAT SECONDS COMMAND...
  local what=$1 deadline=$((SECONDS + $2)); shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "$what did not answer within the time allowed"
    sleep 2
  done
}

# SERVICES_TIMEOUT (default 900 s): the collection exists only after solr-init, which on a
# loaded 2-core host took more than the 3 minutes once allowed here; `migrate` (restart: no)
# then gave up and the stack never came up without a hand restart.
wait_for_services() {
  wait_for "PostgreSQL at $PG_HOST:$PG_PORT" "${SERVICES_TIMEOUT:-900}" pg_isready -q -h "$PG_HOST" -p "$PG_PORT"
  wait_for "Solr at ${SOLR_HOST:-solr}" "${SERVICES_TIMEOUT:-900}" curl -sf "http://${SOLR_HOST:-solr}:${SOLR_PORT:-8983}/solr/ckan/admin/ping"
}

# The migrate role leaves this in the shared filestore volume once this image's migrations
# are applied; the other roles wait for it (podman 4.3 cannot wait for a one-shot service:
# deploy/production/test.sh starts the stack with --no-deps).
MIGRATED=$DATA/storage/.regionaliot-migrated
migrations_id() {
  find /opt/venv/lib/python3*/site-packages/ckan/migration /opt/venv/lib/python3*/site-packages/ckanext \
       "$APP/ckanext-regionaliot/ckanext/regionaliot" -path '*migration*' -name '*.py' 2>/dev/null \
    | sort | xargs cat | sha256sum | cut -c1-16
}
schema_ready() { [ "$(cat "$MIGRATED" 2>/dev/null)" = "$(migrations_id)" ]; }

migrate() {
  # One CKAN start: `ckan db upgrade` (2.11) applies the core's migrations and then every
  # pending chain of the enabled plugins (activity, harvest, tracking and each of our
  # ckanext/regionaliot/migration/<plugin>/), as deploy/stack.sh's one-by-one
  # `db upgrade -p` does with a CKAN start each (minutes on a loaded host).
  ckan -c "$INI" db upgrade || fail "ckan db upgrade"
  # ckan_default owns both databases and their public schemas, so it may apply the
  # DataStore's grants itself; no superuser password reaches this container.
  ckan -c "$INI" datastore set-permissions \
    | PGPASSWORD=$(cat "$DATA/secrets/db_ckan_password") \
      psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U ckan_default -d datastore_default \
    || fail "datastore set-permissions"
  migrations_id >"$MIGRATED"
}

# One container runs one jobs worker, so a worker registered in Redis under this container's
# host name is the one that died with its previous start (podman kill, out of memory). Its
# registration would outlive it by RQ's heartbeat (minutes), and validate-stale's check
# (same host, pid gone) cannot tell: pids repeat in a restarted container, where the new
# entrypoint has the old worker's pid. So it goes now, and its jobs count as dead at once.
forget_dead_workers() {
  python - "$INI" <<'PY' || echo "could not unregister this container's dead workers" >&2
import configparser
import socket
import sys

from redis import Redis
from rq import worker_registration
from rq.worker import Worker

ini = configparser.RawConfigParser(strict=False)
ini.read(sys.argv[1])
connection = Redis.from_url(ini.get("app:main", "ckan.redis.url"))
for dead in Worker.all(connection=connection):
    if dead.hostname == socket.gethostname():
        worker_registration.unregister(dead)
        connection.delete(dead.key)
        print(f"unregistered the dead worker {dead.name} (pid {dead.pid})", file=sys.stderr)
PY
}

wait_for_schema() { wait_for "the migrate service (this image's migrations)" 900 schema_ready; }

role=${1:-web}
[ $# -gt 0 ] && shift
secret_files
render

case "$role" in
  web)
    wait_for_services
    if [ "${CKAN_MIGRATE_ON_START:-true}" = true ]; then migrate; else wait_for_schema; fi
    # exec: gunicorn becomes PID 1 and receives docker stop's SIGTERM (graceful shutdown).
    exec gunicorn --bind 0.0.0.0:5000 --workers "${WEB_WORKERS:-4}" --timeout "${WEB_TIMEOUT:-120}" \
      --forwarded-allow-ips '*' --access-logfile - --chdir "$APP/deploy" wsgi:application
    ;;
  migrate) wait_for_services; migrate ;;
  worker)
    wait_for_services; wait_for_schema
    forget_dead_workers
    # Files whose validation job died with the previous worker are queued again (as
    # deploy/stack.sh does before it starts the worker).
    ckan -c "$INI" regionaliot validate-stale || echo "validate-stale failed; starting the worker anyway" >&2
    exec ckan -c "$INI" jobs worker "$@"
    ;;
  harvest-gather) wait_for_services; wait_for_schema; exec ckan -c "$INI" harvester gather-consumer ;;
  harvest-fetch) wait_for_services; wait_for_schema; exec ckan -c "$INI" harvester fetch-consumer ;;
  feeds-ingest) wait_for_services; wait_for_schema; exec ckan -c "$INI" regionaliot feeds ingest ;;
  harvest-run)
    wait_for_services; wait_for_schema
    # A loop rather than cron: no cron daemon in the image, and the log goes to docker logs.
    trap 'exit 0' TERM INT
    while true; do
      ckan -c "$INI" harvester run || echo "harvester run failed; retrying in ${HARVEST_RUN_INTERVAL:-900}s" >&2
      sleep "${HARVEST_RUN_INTERVAL:-900}" &
      wait $!  # so docker stop's SIGTERM ends the sleep at once
    done
    ;;
  ckan) exec ckan -c "$INI" "$@" ;;
  *) exec "$role" "$@" ;;
esac
