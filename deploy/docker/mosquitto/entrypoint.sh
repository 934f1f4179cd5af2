#!/usr/bin/env bash
# Mosquitto's config, password file and ACLs from the secrets, then the broker in the
# foreground. Users: ingestor (reads every feed), simulator (writes every feed); a device
# (user name = sensor id) may publish only to regionaliot/feeds/<feed>/<its id>.
set -euo pipefail
conf=/mosquitto/config
for user in ingestor simulator; do
  [ -r "/run/secrets/mqtt_$user" ] || { echo "FAILED: secret mqtt_$user is missing" >&2; exit 1; }
done
: >"$conf/passwd"
for user in ingestor simulator; do
  mosquitto_passwd -b "$conf/passwd" "$user" "$(tr -d '[:space:]' <"/run/secrets/mqtt_$user")"
done
chmod 600 "$conf/passwd"
cat >"$conf/acl" <<'ACL'
user ingestor
topic read regionaliot/feeds/#
user simulator
topic write regionaliot/feeds/#
pattern write regionaliot/feeds/+/%u
ACL
cat >"$conf/mosquitto.conf" <<'CONF'
listener 1883 0.0.0.0
allow_anonymous false
password_file /mosquitto/config/passwd
acl_file /mosquitto/config/acl
persistence true
persistence_location /mosquitto/data/
log_dest stdout
max_inflight_messages 1000
max_queued_messages 100000
CONF
exec mosquitto -c "$conf/mosquitto.conf"
