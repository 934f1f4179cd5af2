#!/usr/bin/env bash
# Installs what the production images and the compose stack need on a Debian 12 host with no
# Docker engine and no container registry: podman 4.3 with runc (crun fails on hybrid cgroups),
# netavark + aardvark-dns (service names resolve inside the compose network), debootstrap (the
# base image), and podman-compose pinned in a venv of its own. Idempotent; run as root.
#
#   deploy/production/install.sh
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${REGIONALIOT_DATA:-$ROOT/var}
COMPOSE_VENV=${COMPOSE_VENV:-$DATA/podman-compose-venv}
PODMAN_COMPOSE_VERSION=1.6.0

say() { printf '==> %s\n' "$*"; }
[ "$(id -u)" -eq 0 ] || { echo "FAILED: run as root (podman rootful, debootstrap)" >&2; exit 1; }

pkgs=(podman runc conmon netavark aardvark-dns debootstrap catatonit uidmap iptables python3-venv curl)
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# runc, not crun; cgroupfs (no systemd as PID 1 here); no default ulimits (podman's default
# nofile/nproc ulimits are refused by this kernel's sandbox); netavark for DNS between services.
mkdir -p /etc/containers
cat >/etc/containers/containers.conf <<'CONF'
# Written by deploy/production/install.sh (ckanext-regionaliot).
[containers]
default_ulimits = []
log_driver = "k8s-file"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"

[network]
network_backend = "netavark"
CONF
# No registry is reachable: short names must never trigger a pull prompt or a search.
if [ -f /etc/containers/registries.conf ] && ! grep -q '^short-name-mode' /etc/containers/registries.conf; then
  printf '\nshort-name-mode = "disabled"\n' >>/etc/containers/registries.conf
fi

if [ ! -x "$COMPOSE_VENV/bin/podman-compose" ] \
   || [ "$("$COMPOSE_VENV/bin/python" -m pip show podman-compose 2>/dev/null | sed -n 's/^Version: //p')" != "$PODMAN_COMPOSE_VERSION" ]; then
  say "podman-compose $PODMAN_COMPOSE_VERSION into $COMPOSE_VENV"
  python3 -m venv "$COMPOSE_VENV"
  "$COMPOSE_VENV/bin/pip" install -q --disable-pip-version-check "podman-compose==$PODMAN_COMPOSE_VERSION"
fi

podman info --format '{{.Host.OCIRuntime.Name}} {{.Host.CgroupManager}} {{.Host.NetworkBackend}}' >/dev/null \
  || { echo "FAILED: podman info" >&2; exit 1; }
say "podman $(podman version --format '{{.Client.Version}}') ($(podman info --format '{{.Host.OCIRuntime.Name}}/{{.Host.CgroupManager}}/{{.Host.NetworkBackend}}')), podman-compose $PODMAN_COMPOSE_VERSION"
