#!/usr/bin/env bash
# `make test-production`: build every image (of the committed tree), start the production
# compose stack under podman-compose, run the failover tests (deploy/production/
# test_failover.py) through nginx, ending with `make backup STACK=production`; then tear the
# stack down with its volumes, start a fresh one with the same secrets and run
# test_restore.py (`make restore STACK=production` returns every dataset and file); tear
# that down too, whatever the outcome.
#
#   deploy/production/test.sh            KEEP=1 leaves the last stack running for a look,
#                                        SKIP_BUILD=1 uses the images as they are,
#                                        BENCH=1 runs bench/production/run.py on the first
#                                        stack after its tests (BENCH_ARGS for its options)
#
# Nothing is published but nginx, on 127.0.0.1:$PROD_HTTP_PORT (default 8380: the native
# stack's ports are left alone). Timings go to $REGIONALIOT_DATA/production/timings.tsv.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${REGIONALIOT_DATA:-$ROOT/var}
PROD=$DATA/production
export PROD_PROJECT=${PROD_PROJECT:-regionaliot-prodtest}
export PROD_HTTP_PORT=${PROD_HTTP_PORT:-8380}
export PROD_URL=http://127.0.0.1:$PROD_HTTP_PORT
export REGIONALIOT_HTTP_PORT=$PROD_HTTP_PORT CKAN_SITE_URL=$PROD_URL
export REGIONALIOT_SECRETS=$PROD/secrets-$PROD_PROJECT
COMPOSE=("$DATA/podman-compose-venv/bin/podman-compose" -p "$PROD_PROJECT" -f "$ROOT/deploy/docker-compose.yml")
PY=${PY:-$ROOT/.venv/bin/python}
LOG=$PROD/logs
mkdir -p "$LOG"
say() { printf '==> [%s] %s\n' "$(date -u +%T)" "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }
timing() { printf '%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$1" "$2" >>"$PROD/timings.tsv"; }

project_volumes() {  # named ones (labelled) and the anonymous ones of the images' VOLUMEs
  podman volume ls -q --filter "label=io.podman.compose.project=$PROD_PROJECT" 2>/dev/null || true
  podman ps -aq --filter "label=io.podman.compose.project=$PROD_PROJECT" 2>/dev/null \
    | xargs -r podman inspect --format '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}}{{"\n"}}{{end}}{{end}}' 2>/dev/null || true
}

remove_stack() {  # remove_stack LOGNAME: containers and every volume they used
  local volumes
  volumes=$(project_volumes | sort -u)
  "${COMPOSE[@]}" down -v -t 20 >"$LOG/$1.log" 2>&1 || true
  # podman-compose's down -v removes the named volumes but not the anonymous ones that
  # the images' VOLUME lines give the roles mounting nothing there (a 'worker' gets one for
  # /srv/data/storage): five were left after every stack (seen 2 December).
  [ -z "$volumes" ] || podman volume rm -f $volumes >>"$LOG/$1.log" 2>&1 || true
  # Anonymous volumes carry no project label once their containers are gone: check the
  # names saved above as well as the labelled ones.
  local left=0 v
  for v in $volumes $(project_volumes); do
    ! podman volume exists "$v" 2>/dev/null || left=$((left + 1))
  done
  [ "$left" -eq 0 ] || say "warning: $left volume(s) of $PROD_PROJECT left (podman volume ls)"
}

down() {
  say "tearing the stack down (volumes too)"
  remove_stack down
  rm -rf "$REGIONALIOT_SECRETS"
}

"$ROOT/deploy/production/install.sh"
if [ -z "${SKIP_BUILD:-}" ]; then
  t0=$SECONDS
  nice -n "${BUILD_NICE:-15}" "$ROOT/deploy/production/build.sh"
  timing build $((SECONDS - t0))
fi

# Fresh secrets for this run only, never in git; the fresh stack of the restore test gets the
# same files, as an operator restoring onto a new host uses the same secret store (then API
# tokens stay valid). The files are bind-mounted into containers whose processes are not
# root (postgres, ckan, mosquitto), so they are readable (644) inside a folder only root may
# enter (700).
export PROD_STATE=$PROD/state-$PROD_PROJECT.json
cleanup() {
  down
  rm -rf "$REGIONALIOT_SECRETS" "$PROD_STATE"
  # The backup archive holds nothing secret but is the stack's data: not kept.
  [ -z "${PROD_ARCHIVE:-}" ] || rm -f "$PROD_ARCHIVE"
}
down
rm -f "$PROD_STATE"
mkdir -p "$REGIONALIOT_SECRETS"; chmod 700 "$REGIONALIOT_SECRETS"
for s in postgres_password db_ckan_password db_datastore_password secret_key mqtt_ingestor mqtt_simulator; do
  head -c 48 /dev/urandom | base64 | tr -dc A-Za-z0-9 | head -c 32 >"$REGIONALIOT_SECRETS/$s"
done
: >"$REGIONALIOT_SECRETS/xloader_token_portal"
chmod 644 "$REGIONALIOT_SECRETS"/*
[ -n "${KEEP:-}" ] || trap cleanup EXIT

start_stack() {  # start_stack LABEL: up, then wait for the portal through nginx
  say "podman-compose up (project $PROD_PROJECT, nginx on $PROD_URL)"
  local t0=$SECONDS deadline
  # --no-deps: podman 4.3 would otherwise tie containers together with --requires and, on
  # every start, restart the one-shot services (solr-init, migrate) with them; every
  # entrypoint waits for what it needs instead.
  "${COMPOSE[@]}" up -d --no-deps >"$LOG/up-$1.log" 2>&1 || { tail -30 "$LOG/up-$1.log" >&2; fail "podman-compose up (see $LOG/up-$1.log)"; }
  deadline=$((SECONDS + ${START_TIMEOUT:-1200}))
  until curl -sf -o /dev/null "$PROD_URL/api/3/action/status_show"; do
    if [ $SECONDS -ge $deadline ]; then
      podman ps -a --filter "label=io.podman.compose.project=$PROD_PROJECT" --format '{{.Names}} {{.Status}}' >&2
      fail "the portal did not answer through nginx within ${START_TIMEOUT:-1200}s (podman logs <container>)"
    fi
    sleep 3
  done
  timing "start-$1" $((SECONDS - t0))
  say "the portal answers through nginx after $((SECONDS - t0)) s"
}

make_admin() {  # a sysadmin and its API token, made inside web1 (the CLI talks to the database)
  local web1 pw
  web1=$(podman ps --filter "label=io.podman.compose.project=$PROD_PROJECT" --filter "label=com.docker.compose.service=web1" --format '{{.Names}}' | head -1)
  [ -n "$web1" ] || fail "no running web1 container"
  pw=$(head -c 24 /dev/urandom | base64 | tr -dc A-Za-z0-9)
  podman exec "$web1" ckan -c /srv/data/ckan.ini user add prodadmin email=prodadmin@example.org password="$pw" >"$LOG/admin.log" 2>&1 \
    || fail "creating the sysadmin (see $LOG/admin.log)"
  podman exec "$web1" ckan -c /srv/data/ckan.ini sysadmin add prodadmin >>"$LOG/admin.log" 2>&1 || fail "sysadmin add"
  PROD_TOKEN=$(podman exec "$web1" ckan -c /srv/data/ckan.ini user token add prodadmin failover 2>>"$LOG/admin.log" | tail -1 | tr -d '[:space:]')
  [ -n "$PROD_TOKEN" ] || fail "no API token (see $LOG/admin.log)"
  export PROD_TOKEN
}

PYTEST=("$PY" -m pytest -p no:ckan -p no:ckan_fixtures -p no:cacheprovider -v)
rc=0
start_stack first
make_admin
say "failover tests, then make backup STACK=production"
t0=$SECONDS
"${PYTEST[@]}" "$ROOT/deploy/production/test_failover.py" "$@" || rc=1
timing tests $((SECONDS - t0))

if [ -n "${BENCH:-}" ]; then
  say "bench/production/run.py against this stack"
  nice -n 10 "$PY" "$ROOT/bench/production/run.py" ${BENCH_ARGS:-} || rc=1
fi

if [ -f "$PROD_STATE" ]; then
  PROD_ARCHIVE=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["archive"])' "$PROD_STATE")
  say "a fresh stack (volumes removed, same secrets) for make restore STACK=production"
  remove_stack down-first
  start_stack fresh
  make_admin
  t0=$SECONDS
  "${PYTEST[@]}" "$ROOT/deploy/production/test_restore.py" || rc=1
  timing restore-test $((SECONDS - t0))
else
  say "no backup was made: the restore test is not run"; rc=1
fi
exit $rc
