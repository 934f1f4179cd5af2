#!/usr/bin/env bash
# First start (empty $PGDATA): initdb with the superuser password from
# $POSTGRES_PASSWORD_FILE, run /docker-entrypoint-initdb.d/*.sh against a server that listens
# on the socket only, then start for real on every interface of the container (password
# authentication: scram-sha-256). SIGINT (STOPSIGNAL) is PostgreSQL's fast shutdown.
set -euo pipefail
export POSTGRES_USER=${POSTGRES_USER:-postgres}

if [ "${1:-postgres}" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile=${POSTGRES_PASSWORD_FILE:-}
  [ -n "$pwfile" ] && [ -r "$pwfile" ] || { echo "FAILED: POSTGRES_PASSWORD_FILE is not set or not readable" >&2; exit 1; }
  # shellcheck disable=SC2086  # POSTGRES_INITDB_ARGS is a list of options
  initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile=<(tr -d '\n' <"$pwfile") \
         --auth-local=trust --auth-host=scram-sha-256 ${POSTGRES_INITDB_ARGS:-}
  printf "listen_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
  printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -k /run/postgresql" -w start
  for script in /docker-entrypoint-initdb.d/*.sh; do
    [ -f "$script" ] || continue
    echo "running $script"
    PGHOST=/run/postgresql bash "$script"
  done
  pg_ctl -D "$PGDATA" -m fast -w stop
fi

if [ "${1:-postgres}" = postgres ]; then
  shift || true
  exec postgres -D "$PGDATA" -k /run/postgresql "$@"
fi
exec "$@"
