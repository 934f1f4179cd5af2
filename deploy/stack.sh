#!/usr/bin/env bash
# The local stack: PostgreSQL, Redis and Apache Solr started natively (no Docker engine on
# these machines), CKAN under gunicorn, a jobs worker and the harvest consumers.
#
#   deploy/stack.sh install    Debian packages, the venv, Solr's Maven classpath, catalogues
#   deploy/stack.sh install-test-tools   the docker compose plugin (checks the compose file)
#   deploy/stack.sh services   start PostgreSQL, Redis, Solr; create/upgrade both profiles' DBs
#   deploy/stack.sh services-slot N   the same for the extra test profile test-N only
#   deploy/stack.sh up         services + sysadmin + demo content + web, worker, consumers
#   deploy/stack.sh down       stop everything this script started
#   deploy/stack.sh status     what runs
#
# All state lives under $REGIONALIOT_DATA (default ./var); every port is on 127.0.0.1.
# A failure prints one line naming what failed and where its log is, and exits non-zero.
set -euo pipefail

# shellcheck source=deploy/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Drop every descriptor inherited above stderr (a caller's `flock LOCK make test`, say):
# the daemons started below live for hours and must not hold their caller's lock.
for _fd in /proc/$$/fd/*; do
  _fd=${_fd##*/}
  [ "$_fd" -gt 2 ] 2>/dev/null && eval "exec $_fd>&-" 2>/dev/null || true
done
unset _fd

SOLR_HOME=$DATA/solr
PORTAL_INI=$DATA/ckan.ini
TEST_INI=$DATA/test.ini
mkdir -p "$LOG" "$RUN" "$SECRETS"
chmod 700 "$SECRETS"

# One clear line, then stop: never report success over a half-started stack.
fail() { printf 'FAILED: %s (log: %s)\n' "$1" "$2" >&2; exit 1; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {  # wait_for SECONDS COMMAND...
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.5
  done
}

secret() {  # secret NAME: create a random secret once, print it
  local f="$SECRETS/$1"
  [ -s "$f" ] || (umask 077; head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32 >"$f")
  cat "$f"
}

# ---------------------------------------------------------------- install
install_packages() {
  local missing=()
  [ -x "$PG_BIN/postgres" ] || missing+=(postgresql-15 postgresql-contrib)
  command -v redis-server >/dev/null || missing+=(redis-server)
  [ -e /usr/lib/x86_64-linux-gnu/libgeos_c.so.1 ] || ls /usr/lib/*/libgeos_c.so.1 >/dev/null 2>&1 || missing+=(libgeos-c1v5)
  command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
  command -v mvn >/dev/null || missing+=(maven)
  command -v curl >/dev/null || missing+=(curl)
  command -v npm >/dev/null || missing+=(npm)
  command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)  # feeds' MQTT broker
  # Browser tests (tests/browser): Debian's Chromium, driven by Playwright through its
  # executable path, and a Japanese font so screenshots show text. Chromium is not pinned
  # to a version: Debian ships it to stable only as security updates that replace the
  # previous build in the archive, so a pinned version stops being installable within
  # weeks; the version used is written to the test artifacts (browser-version.txt).
  command -v chromium >/dev/null || missing+=(chromium)
  fc-list :lang=ja 2>/dev/null | grep -q . || missing+=(fonts-ipafont-gothic)
  [ ${#missing[@]} -eq 0 ] && return 0
  is_root || fail "missing Debian packages: ${missing[*]} (install them as root)" "-"
  say "Installing Debian packages: ${missing[*]}"
  # The Debian packages try to start their own default services; policy-rc.d stops that.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >"$LOG/apt.log" 2>&1 \
    || { apt-get update -q >>"$LOG/apt.log" 2>&1 && \
         DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >>"$LOG/apt.log" 2>&1; } \
    || fail "apt-get install ${missing[*]}" "$LOG/apt.log"
}

install_venv() {
  local stamp="$VENV/.regionaliot-installed"
  local want
  want=$(cat "$ROOT/deploy/requirements.txt" "$ROOT/deploy/constraints.txt" "$ROOT/setup.py" "$ROOT/pyproject.toml" | sha256sum | cut -c1-16)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  # Two test runs that both see a changed setup.py must not run pip at once.
  exec 9>"$RUN/pip.lock"
  flock 9
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then flock -u 9; exec 9>&-; return 0; fi
  say "Installing Python packages into $VENV (pinned by deploy/constraints.txt)"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV" >"$LOG/pip.log" 2>&1 || fail "python3 -m venv" "$LOG/pip.log"
  "$VENV/bin/pip" install -q 'setuptools<82' wheel -c "$ROOT/deploy/constraints.txt" >>"$LOG/pip.log" 2>&1 \
    && "$VENV/bin/pip" install -q -r "$ROOT/deploy/requirements.txt" -c "$ROOT/deploy/constraints.txt" >>"$LOG/pip.log" 2>&1 \
    && "$VENV/bin/pip" install -q --no-deps --no-build-isolation -e "$ROOT" >>"$LOG/pip.log" 2>&1 \
    || fail "pip install" "$LOG/pip.log"
  echo "$want" >"$stamp"
  flock -u 9; exec 9>&-
}

# Build output derived from the pom, not state: kept beside it (git-ignored).
SOLR_CLASSPATH=$ROOT/deploy/solr/target/classpath.txt

install_solr_classpath() {
  local cp="$SOLR_CLASSPATH"
  if [ -s "$cp" ] && [ "$cp" -nt "$ROOT/deploy/solr/pom.xml" ]; then return 0; fi
  mkdir -p "$(dirname "$cp")"
  say "Resolving Apache Solr's classpath with Maven (deploy/solr/pom.xml)"
  mvn -q -B -f "$ROOT/deploy/solr/pom.xml" dependency:build-classpath \
      -Dmdep.outputFile="$cp.tmp" >"$LOG/maven.log" 2>&1 || fail "mvn dependency:build-classpath" "$LOG/maven.log"
  mv "$cp.tmp" "$cp"
}

compile_catalogues() {
  # The core plugin's catalogue and each feature plugin's own (<feature>/i18n).
  local po
  while IFS= read -r po; do
    local mo="${po%.po}.mo"
    [ -f "$mo" ] && [ "$mo" -nt "$po" ] && continue
    "$VENV/bin/pybabel" compile -i "$po" -o "$mo" >>"$LOG/i18n.log" 2>&1 || fail "pybabel compile $po" "$LOG/i18n.log"
  done < <(find "$ROOT/ckanext-regionaliot/ckanext/regionaliot" -path '*/i18n/*/LC_MESSAGES/*.po' | sort)
  # The validation engine's own catalogue (validation/i18n, domain regionaliot-validation).
  "$VENV/bin/python" -m regionaliot.validation.i18n compile >>"$LOG/i18n.log" 2>&1 \
    || fail "compiling the validation engine's catalogue" "$LOG/i18n.log"
}

# Test tooling only: the Docker client is on these machines but its compose plugin may not
# be, and tests/unit/test_compose_config.py checks deploy/docker-compose.yml with it.
install_compose_plugin() {
  command -v docker >/dev/null || return 0
  docker compose version >/dev/null 2>&1 && return 0
  command -v go >/dev/null || { say "No docker compose plugin and no Go toolchain: the compose test will skip."; return 0; }
  say "Building the docker compose plugin from the Go module proxy (a few minutes)"
  local bin; bin=$(mktemp -d)
  GOBIN="$bin" go install github.com/docker/compose/v2/cmd@v2.32.4 >"$LOG/compose-plugin.log" 2>&1 \
    || fail "go install docker compose" "$LOG/compose-plugin.log"
  mkdir -p "$HOME/.docker/cli-plugins"
  mv "$bin/cmd" "$HOME/.docker/cli-plugins/docker-compose"
  rm -rf "$bin"
}

# Front-end libraries from the npm registry, exactly as package-lock.json pins them (no CDN
# at run time): the files the webassets bundle are copied into the core plugin's
# assets/vendor/ (not in git). axe-core stays in node_modules for the browser tests.
VENDOR=$ROOT/ckanext-regionaliot/ckanext/regionaliot/assets/vendor
# The rows' map view of regionaliot_datastore: Leaflet and its marker clustering.
VENDOR_DATASTORE=$ROOT/ckanext-regionaliot/ckanext/regionaliot/datastore/assets/vendor
install_frontend() {
  local stamp="$ROOT/node_modules/.regionaliot-installed" want
  want=$(sha256sum "$ROOT/package-lock.json" | cut -c1-16)
  if ! { [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d "$VENDOR" ] && [ -d "$VENDOR_DATASTORE" ]; }; then
    (cd "$ROOT" && npm ci --ignore-scripts --no-audit --no-fund) >"$LOG/npm.log" 2>&1 \
      || fail "npm ci (front-end libraries)" "$LOG/npm.log"
    rm -rf "$VENDOR" && mkdir -p "$VENDOR/leaflet"
    cp -r "$ROOT/node_modules/leaflet/dist/leaflet.js" "$ROOT/node_modules/leaflet/dist/leaflet.css" \
          "$ROOT/node_modules/leaflet/dist/images" "$ROOT/node_modules/leaflet/LICENSE" "$VENDOR/leaflet/"
    rm -rf "$VENDOR_DATASTORE" && mkdir -p "$VENDOR_DATASTORE"
    cp -r "$VENDOR/leaflet" "$VENDOR_DATASTORE/leaflet"
    mkdir -p "$VENDOR_DATASTORE/leaflet.markercluster"
    cp "$ROOT/node_modules/leaflet.markercluster/dist/leaflet.markercluster.js" \
       "$ROOT/node_modules/leaflet.markercluster/dist/MarkerCluster.css" \
       "$ROOT/node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css" \
       "$ROOT/node_modules/leaflet.markercluster/MIT-LICENCE.txt" "$VENDOR_DATASTORE/leaflet.markercluster/"
    echo "$want" >"$stamp"
  fi
}

cmd_install() {
  install_packages
  install_venv
  install_solr_classpath
  install_frontend
  compile_catalogues
}

# ---------------------------------------------------------------- PostgreSQL
pg_start() {
  if [ -s "$PGDATA/PG_VERSION" ] && as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    return 0
  fi
  port_busy "$PG_PORT" && fail "PostgreSQL: port 127.0.0.1:$PG_PORT is already in use by another program (set PG_PORT)" "ss -ltnp"
  mkdir -p "$PGDATA" "$PGSOCK"
  is_root && chown postgres:postgres "$PGDATA" "$PGSOCK"
  [ "$PG_HOME" = "$DATA" ] || { is_root && chown postgres:postgres "$PG_HOME"; }
  chmod 700 "$PGDATA" "$PGSOCK"
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    say "Creating the PostgreSQL cluster in $PGDATA"
    # Local socket connections are trusted (only this user can reach the socket directory);
    # TCP on 127.0.0.1 needs a password.
    as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >"$LOG/postgres-initdb.log" 2>&1 \
      || fail "initdb" "$LOG/postgres-initdb.log"
  fi
  touch "$PG_LOG"; is_root && chown postgres:postgres "$PG_LOG"
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PG_LOG" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PGSOCK" start >/dev/null 2>&1 \
    || fail "PostgreSQL did not start" "$PG_LOG"
}

pg_role() {  # pg_role NAME PASSWORD
  psql_admin postgres >>"$LOG/postgres-setup.log" 2>&1 <<SQL || fail "creating role $1" "$LOG/postgres-setup.log"
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$1') THEN
    CREATE ROLE $1 LOGIN PASSWORD '$2';
  ELSE
    ALTER ROLE $1 PASSWORD '$2';
  END IF;
END \$\$;
SQL
}

pg_database() {  # pg_database NAME OWNER
  local exists
  exists=$(psql_admin postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'" 2>>"$LOG/postgres-setup.log")
  [ "$exists" = 1 ] && return 0
  psql_admin postgres -c "CREATE DATABASE $1 OWNER $2 ENCODING 'UTF8' TEMPLATE template0" \
      >>"$LOG/postgres-setup.log" 2>&1 || fail "creating database $1" "$LOG/postgres-setup.log"
}

pg_setup() {
  pg_role ckan_default "$(secret db_ckan_password)"
  pg_role datastore_default "$(secret db_datastore_password)"
  local db
  for db in ckan_default datastore_default ckan_test datastore_test ckan_bench datastore_bench; do
    pg_database "$db" ckan_default
  done
}

# ---------------------------------------------------------------- Redis
redis_start() {
  if pid_alive "$RUN/redis.pid"; then return 0; fi
  port_busy "$REDIS_PORT" && fail "Redis: port 127.0.0.1:$REDIS_PORT is already in use by another program (set REDIS_PORT)" "ss -ltnp"
  mkdir -p "$DATA/redis"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$DATA/redis" --daemonize yes \
      --pidfile "$RUN/redis.pid" --logfile "$LOG/redis.log" --appendonly yes --save "" \
      >>"$LOG/redis.log" 2>&1 || fail "Redis did not start" "$LOG/redis.log"
  wait_for 20 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping || fail "Redis did not answer" "$LOG/redis.log"
}

# ---------------------------------------------------------------- Solr
# The portal's core, the tests' core, and two for bench/search: ours and CKAN's stock schema.
SOLR_CORES="ckan ckan_test ckan_bench ckan_bench_stock"

solr_configsets() {
  # Regenerated every time from the installed CKAN's schema.xml plus our additions;
  # a running core is reloaded when its schema changed.
  local core
  cp "$ROOT/deploy/solr/solr.xml" "$SOLR_HOME/solr.xml"
  for core in $SOLR_CORES; do
    local dir="$SOLR_HOME/$core"
    mkdir -p "$dir"
    local before=""
    [ -f "$dir/conf/schema.xml" ] && before=$(cat "$dir/conf/schema.xml" "$dir/conf/solrconfig.xml" | sha256sum)
    local variant=()
    [[ $core == *_stock ]] && variant=(--stock)
    "$PY" "$ROOT/deploy/solr/make_configset.py" "$dir" "${variant[@]}" >>"$LOG/solr-setup.log" 2>&1 \
      || fail "writing Solr configset for $core" "$LOG/solr-setup.log"
    [ -f "$dir/core.properties" ] || echo "name=$core" >"$dir/core.properties"
    if [ -n "$before" ] && [ "$before" != "$(cat "$dir/conf/schema.xml" "$dir/conf/solrconfig.xml" | sha256sum)" ] \
        && pid_alive "$RUN/solr.pid"; then
      curl -sf "http://127.0.0.1:$SOLR_PORT/solr/admin/cores?action=RELOAD&core=$core" >>"$LOG/solr-setup.log" \
        || fail "reloading Solr core $core" "$LOG/solr.log"
    fi
  done
}

solr_ping() {
  local core
  for core in $SOLR_CORES; do
    curl -sf "http://127.0.0.1:$SOLR_PORT/solr/$core/admin/ping" >/dev/null || return 1
  done
}

solr_start() {
  mkdir -p "$SOLR_HOME"
  solr_configsets
  if pid_alive "$RUN/solr.pid"; then
    # A core created after Solr started is not discovered; load it explicitly.
    local core
    for core in $SOLR_CORES; do
      curl -sf "http://127.0.0.1:$SOLR_PORT/solr/$core/admin/ping" >/dev/null 2>&1 && continue
      # CREATE writes core.properties itself and refuses a directory that already has one.
      rm -f "$SOLR_HOME/$core/core.properties"
      curl -sf "http://127.0.0.1:$SOLR_PORT/solr/admin/cores?action=CREATE&name=$core&instanceDir=$SOLR_HOME/$core" \
          >>"$LOG/solr-setup.log" 2>&1 || fail "creating Solr core $core" "$LOG/solr.log"
    done
    return 0
  fi
  port_busy "$SOLR_PORT" && fail "Solr: port 127.0.0.1:$SOLR_PORT is already in use by another program (set SOLR_PORT)" "ss -ltnp"
  # Single-file source launch: Java compiles deploy/solr/SolrLauncher.java in memory.
  (cd "$ROOT/deploy/solr" && exec setsid java -Xms256m -Xmx${SOLR_HEAP:-1g} \
      -Dsolr.log.dir="$LOG" -Dlog4j2.configurationFile="$ROOT/deploy/solr/log4j2.xml" \
      -Dsolr.solr.home="$SOLR_HOME" -Dsolr.default.confdir="$SOLR_HOME/ckan/conf" \
      -cp "$(cat "$SOLR_CLASSPATH")" SolrLauncher.java "$SOLR_HOME" "$SOLR_PORT" \
      >"$LOG/solr-stdout.log" 2>&1 </dev/null) &
  echo $! >"$RUN/solr.pid"
  wait_for 120 solr_ping || fail "Solr did not start" "$LOG/solr-stdout.log and $LOG/solr.log"
}

# ---------------------------------------------------------------- CKAN databases
render_inis() {
  secret secret_key >/dev/null
  "$PY" "$ROOT/deploy/render_ini.py" portal "$PORTAL_INI" || fail "rendering $PORTAL_INI" "-"
  "$PY" "$ROOT/deploy/render_ini.py" test "$TEST_INI" || fail "rendering $TEST_INI" "-"
}

# Plugins with alembic migrations of their own, upgraded after CKAN's core.
MIGRATING_PLUGINS="activity harvest tracking"

ckan_migrate() {  # ckan_migrate INI DATASTORE_DB
  local ini=$1 dsdb=$2
  "$CKAN" -c "$ini" db upgrade >>"$LOG/ckan-db.log" 2>&1 || fail "ckan db upgrade ($ini)" "$LOG/ckan-db.log"
  local plugin
  for plugin in $MIGRATING_PLUGINS $(plugin_migrations); do
    "$CKAN" -c "$ini" db upgrade -p "$plugin" >>"$LOG/ckan-db.log" 2>&1 \
      || fail "ckan db upgrade -p $plugin ($ini)" "$LOG/ckan-db.log"
  done
  # The DataStore's read-only role and permissions, as CKAN's DataStore docs describe.
  "$CKAN" -c "$ini" datastore set-permissions 2>>"$LOG/ckan-db.log" | psql_admin "$dsdb" >>"$LOG/ckan-db.log" 2>&1 \
    || fail "datastore set-permissions ($ini)" "$LOG/ckan-db.log"
  # CKAN's JavaScript modules read their strings from /api/i18n/<lang>, a file under the
  # profile's storage_path that only `ckan run` or `ckan translation js` writes: without it
  # "Show more" and the upload labels stay English on Japanese pages.
  "$CKAN" -c "$ini" translation js >>"$LOG/ckan-db.log" 2>&1 || fail "ckan translation js ($ini)" "$LOG/ckan-db.log"
}

plugin_migrations() {
  # Our feature plugins' own alembic chains: ckanext/regionaliot/migration/<plugin>/
  # (where `ckan db upgrade -p <plugin>` looks for them).
  local dir
  for dir in "$ROOT"/ckanext-regionaliot/ckanext/regionaliot/migration/*/; do
    [ -f "$dir/env.py" ] && basename "$dir"
  done
  return 0
}

# A numbered test profile (TEST_SLOT=N make test): databases ckan_test_N and
# datastore_test_N, Solr core ckan_test_N, Redis db 4+N, filestore storage-test-N, $DATA/test-N.ini.
cmd_services_slot() {
  local n=$1
  [[ $n =~ ^[1-9]$ ]] || fail "TEST_SLOT must be 1-9, not '$n'" "-"
  SOLR_CORES="$SOLR_CORES ckan_test_$n"
  install_solr_classpath
  pg_start
  pg_setup
  pg_database "ckan_test_$n" ckan_default
  pg_database "datastore_test_$n" ckan_default
  redis_start
  solr_start
  mosquitto_start
  secret secret_key >/dev/null
  "$PY" "$ROOT/deploy/render_ini.py" "test-$n" "$DATA/test-$n.ini" || fail "rendering $DATA/test-$n.ini" "-"
  ckan_migrate "$DATA/test-$n.ini" "datastore_test_$n"
}

# The benchmarks' profile (bench/*/run.py render their own ini of it): databases ckan_bench
# and datastore_bench migrated and given the DataStore's set-up once, as the other profiles.
cmd_services_bench() {
  cmd_services
  "$PY" "$ROOT/deploy/render_ini.py" bench "$DATA/bench.ini" || fail "rendering $DATA/bench.ini" "-"
  ckan_migrate "$DATA/bench.ini" datastore_bench
}

cmd_services() {
  install_solr_classpath
  pg_start
  pg_setup
  redis_start
  solr_start
  mosquitto_start
  render_inis
  ckan_migrate "$TEST_INI" datastore_test
  ckan_migrate "$PORTAL_INI" datastore_default
}

# ---------------------------------------------------------------- Mosquitto (feeds, issue 12)
# The MQTT broker of regionaliot_feeds: Debian's mosquitto on 127.0.0.1:$MQTT_PORT, its config,
# password file (from var/secrets), ACLs and persistence under $DATA/mosquitto. No anonymous
# clients; the ingestor may only read, the simulator and each device only write their topics.
MQTT_PORT=${MQTT_PORT:-1883}
MOSQ_DIR=$DATA/mosquitto
MOSQUITTO=$(command -v mosquitto 2>/dev/null || echo /usr/sbin/mosquitto)

mosquitto_config() {
  mkdir -p "$MOSQ_DIR/data"
  local pw="$MOSQ_DIR/passwd.new" user
  : >"$pw"; chmod 600 "$pw"
  # Users: the ingestor (reads every feed) and the demo simulator (writes every feed).
  for user in ingestor simulator; do
    mosquitto_passwd -b "$pw" "$user" "$(secret "mqtt_$user")" >>"$LOG/mosquitto.log" 2>&1 \
      || fail "mosquitto_passwd $user" "$LOG/mosquitto.log"
  done
  mv "$pw" "$MOSQ_DIR/passwd"
  cat >"$MOSQ_DIR/acl" <<'ACL'
user ingestor
topic read regionaliot/feeds/#
user simulator
topic write regionaliot/feeds/#
# A device (user name = sensor id) publishes only to regionaliot/feeds/<feed>/<its id>.
pattern write regionaliot/feeds/+/%u
ACL
  cat >"$MOSQ_DIR/mosquitto.conf" <<CONF
# Written by deploy/stack.sh (mosquitto_config); edits are overwritten.
per_listener_settings false
listener $MQTT_PORT 127.0.0.1
allow_anonymous false
password_file $MOSQ_DIR/passwd
acl_file $MOSQ_DIR/acl
persistence true
persistence_location $MOSQ_DIR/data/
autosave_interval 5
max_queued_messages 100000
# The ingestor acknowledges after its batch is committed: room for a batch in flight.
max_inflight_messages 1000
log_dest stdout
log_type error
log_type warning
CONF
  # As root, mosquitto drops to its own user before reading these files.
  if is_root && id mosquitto >/dev/null 2>&1; then chown -R mosquitto "$MOSQ_DIR"; fi
}

# The feeds' ingestor (MQTT → PostgreSQL), supervised like the jobs worker and restarted by
# each `make up`; with demo content, the simulator publishes the demo feeds every 10 s.
feeds_start() {
  local name
  for name in feeds-ingest feeds-simulate; do stop_pidfile "$name"; done
  start_daemon feeds-ingest "$CKAN" -c "$PORTAL_INI" regionaliot feeds ingest
  if [ "${REGIONALIOT_DEMO:-1}" != 0 ]; then
    "$CKAN" -c "$PORTAL_INI" regionaliot feeds seed >>"$LOG/seed.log" 2>&1 \
      || fail "loading the demo feeds (ckan regionaliot feeds seed)" "$LOG/seed.log"
    start_daemon feeds-simulate "$CKAN" -c "$PORTAL_INI" regionaliot feeds simulate
  fi
}

mosquitto_ping() { port_busy "$MQTT_PORT"; }

mosquitto_start() {
  pid_alive "$RUN/mosquitto.pid" && return 0
  port_busy "$MQTT_PORT" && fail "Mosquitto: port 127.0.0.1:$MQTT_PORT is already in use by another program (set MQTT_PORT)" "ss -ltnp"
  [ -x "$MOSQUITTO" ] || fail "mosquitto is not installed (make install, as root)" "-"
  mosquitto_config
  start_daemon mosquitto "$MOSQUITTO" -c "$MOSQ_DIR/mosquitto.conf"
  wait_for 20 mosquitto_ping || fail "Mosquitto did not start" "$LOG/mosquitto.log"
}

# ---------------------------------------------------------------- portal processes
ensure_sysadmin() {
  local pw
  pw=$(secret admin_password)
  if ! "$CKAN" -c "$PORTAL_INI" user show admin 2>/dev/null | grep -q "name=admin"; then
    "$CKAN" -c "$PORTAL_INI" user add admin email=admin@example.invalid password="$pw" \
        >>"$LOG/ckan-admin.log" 2>&1 || fail "creating the sysadmin" "$LOG/ckan-admin.log"
  fi
  "$CKAN" -c "$PORTAL_INI" sysadmin add admin >>"$LOG/ckan-admin.log" 2>&1 \
    || fail "making admin a sysadmin" "$LOG/ckan-admin.log"
  if [ ! -s "$SECRETS/admin_api_token" ]; then
    "$CKAN" -c "$PORTAL_INI" user token add admin make-up 2>>"$LOG/ckan-admin.log" | tail -n 1 | tr -d '[:space:]' \
        >"$SECRETS/admin_api_token" || fail "creating the admin API token" "$LOG/ckan-admin.log"
  fi
  # Background jobs (xloader) call the API with this token.
  if [ ! -s "$SECRETS/xloader_token_portal" ]; then
    cp "$SECRETS/admin_api_token" "$SECRETS/xloader_token_portal"
    render_inis
  fi
}

seed_content() {
  local args=()
  [ "${REGIONALIOT_DEMO:-1}" = 0 ] && args+=(--no-demo)
  "$CKAN" -c "$PORTAL_INI" regionaliot seed "${args[@]}" >>"$LOG/seed.log" 2>&1 \
    || fail "loading the consortium's content (ckan regionaliot seed)" "$LOG/seed.log"
}

start_daemon() {  # start_daemon NAME COMMAND...: background process with pid file and log
  local name=$1; shift
  pid_alive "$RUN/$name.pid" && return 0
  setsid "$@" >>"$LOG/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}

http_ok() { curl -sf -o /dev/null "http://127.0.0.1:$CKAN_PORT/api/3/action/status_show"; }

cmd_up() {
  local name
  cmd_install
  cmd_services
  ensure_sysadmin
  seed_content
  # A second `make up` picks up new code and settings: gunicorn reloads its workers on HUP
  # (no dropped requests); the queue consumers finish their current job and restart.
  if pid_alive "$RUN/web.pid"; then
    kill -HUP "$(cat "$RUN/web.pid")"
  else
    port_busy "$CKAN_PORT" && fail "CKAN: port 127.0.0.1:$CKAN_PORT is already in use by another program (set CKAN_PORT)" "ss -ltnp"
    start_daemon web "$VENV/bin/gunicorn" --bind "127.0.0.1:$CKAN_PORT" --workers "${WEB_WORKERS:-2}" \
        --timeout 120 --access-logfile - --chdir "$ROOT/deploy" \
        --env "CKAN_INI=$PORTAL_INI" wsgi:application
  fi
  for name in worker harvest-gather harvest-fetch; do stop_pidfile "$name"; done
  # Validations left 「検証中」 by a job that died with the old worker (kill -9, out of
  # memory) are queued once more, or marked as errors, before the new worker starts.
  "$CKAN" -c "$PORTAL_INI" regionaliot validate-stale >>"$LOG/worker.log" 2>&1 \
    || say "Warning: recovering abandoned validation jobs failed; see $LOG/worker.log"
  start_daemon worker "$CKAN" -c "$PORTAL_INI" jobs worker
  start_daemon harvest-gather "$CKAN" -c "$PORTAL_INI" harvester gather-consumer
  start_daemon harvest-fetch "$CKAN" -c "$PORTAL_INI" harvester fetch-consumer
  feeds_start
  wait_for 90 http_ok || fail "CKAN web server did not answer on 127.0.0.1:$CKAN_PORT" "$LOG/web.log"
  for name in worker harvest-gather harvest-fetch feeds-ingest; do
    pid_alive "$RUN/$name.pid" || fail "$name exited" "$LOG/$name.log"
  done
  say ""
  say "Portal: http://127.0.0.1:$CKAN_PORT"
  say "Sysadmin: admin; password in $SECRETS/admin_password, API token in $SECRETS/admin_api_token"
}

stop_pidfile() {  # stop_pidfile NAME
  local f="$RUN/$1.pid"
  [ -f "$f" ] || return 0
  local pid; pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

cmd_down() {
  local name
  for name in web worker harvest-gather harvest-fetch feeds-ingest feeds-simulate mosquitto solr; do stop_pidfile "$name"; done
  if pid_alive "$RUN/redis.pid"; then
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || stop_pidfile redis
  fi
  if [ -s "$PGDATA/PG_VERSION" ] && as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null || fail "stopping PostgreSQL" "$PG_LOG"
  fi
  say "Stopped."
}

cmd_status() {
  local name
  for name in web worker harvest-gather harvest-fetch feeds-ingest feeds-simulate mosquitto solr redis; do
    if pid_alive "$RUN/$name.pid"; then say "$name: running (pid $(cat "$RUN/$name.pid"))"; else say "$name: stopped"; fi
  done
  if as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then say "postgres: running"; else say "postgres: stopped"; fi
}

case "${1:-}" in
  install) cmd_install ;;
  install-test-tools) install_compose_plugin ;;
  services) cmd_install; cmd_services ;;
  services-slot) cmd_install; cmd_services_slot "${2:-}" ;;
  services-bench) cmd_install; cmd_services_bench ;;
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  psql) shift; psql_admin "${1:-ckan_default}" ;;
  *) say "usage: $0 {install|install-test-tools|services|services-slot N|services-bench|up|down|status|psql [DB]}"; exit 64 ;;
esac
