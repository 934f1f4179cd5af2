# Settings and helpers shared by deploy/stack.sh and deploy/backup.sh (sourced, not run).
# Everything is overridable from the environment; all state is under $REGIONALIOT_DATA.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA=${REGIONALIOT_DATA:-$ROOT/var}
mkdir -p "$DATA"
DATA=$(cd "$DATA" && pwd)
VENV=${REGIONALIOT_VENV:-$ROOT/.venv}
PG_PORT=${PG_PORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}
SOLR_PORT=${SOLR_PORT:-8983}
CKAN_PORT=${CKAN_PORT:-5000}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
export REGIONALIOT_DATA=$DATA PG_PORT REDIS_PORT SOLR_PORT CKAN_PORT

LOG=$DATA/log
RUN=$DATA/run
SECRETS=$DATA/secrets
CKAN="$VENV/bin/ckan"
PY="$VENV/bin/python"

say() { printf '%s\n' "$*"; }
is_root() { [ "$(id -u)" = 0 ]; }
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# PostgreSQL refuses to run as root; when we are root it runs as the 'postgres' user.
as_pg() {
  if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

# That user must reach the cluster's files. A checkout below a directory it cannot enter
# (say /root) keeps the cluster, its socket and its log in /var/lib/regionaliot/<id> instead,
# one per data directory.
PG_HOME=$DATA
if is_root && id postgres >/dev/null 2>&1 && ! runuser -u postgres -- test -x "$DATA" 2>/dev/null; then
  PG_HOME=/var/lib/regionaliot/$(printf '%s' "$DATA" | sha256sum | cut -c1-12)
fi
PGDATA=$PG_HOME/postgres
PGSOCK=$PG_HOME/postgres-socket
if [ "$PG_HOME" = "$DATA" ]; then PG_LOG=$LOG/postgres.log; else PG_LOG=$PG_HOME/postgres.log; fi

psql_admin() {  # psql_admin DB [psql args...]: superuser over the unix socket
  local db=$1; shift
  as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGSOCK" -p "$PG_PORT" -U postgres -d "$db" "$@"
}
