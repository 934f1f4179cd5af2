#!/usr/bin/env bash
# The Debian 12 base image, made from Debian's packages alone (no registry is reachable here):
# debootstrap a minimal bookworm into a folder, then `podman import` it.
#
#   deploy/production/base-image.sh [TAG]      default localhost/regionaliot/debian:bookworm
#
# The debootstrap folder is cached under $REGIONALIOT_DATA/production/ between runs (a speed-up
# only: a missing or half-made folder is made again). Docker users need none of this: the
# Dockerfiles default to debian:bookworm-slim (BASE_IMAGE build argument).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${REGIONALIOT_DATA:-$ROOT/var}
TAG=${1:-localhost/regionaliot/debian:bookworm}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
CACHE=$DATA/production/debootstrap-bookworm
say() { printf '==> %s\n' "$*"; }

if podman image exists "$TAG" && [ -z "${REBUILD_BASE:-}" ]; then
  say "base image $TAG exists (REBUILD_BASE=1 to make it again)"; exit 0
fi

# The stamp is written last: a folder without it is an interrupted debootstrap.
if [ ! -f "$CACHE/.regionaliot-complete" ]; then
  say "debootstrap bookworm (minbase) into $CACHE"
  rm -rf "$CACHE"; mkdir -p "$(dirname "$CACHE")"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$CACHE" "$MIRROR" \
    >"$DATA/production/debootstrap.log" 2>&1 \
    || { echo "FAILED: debootstrap (see $DATA/production/debootstrap.log)" >&2; exit 1; }
  cat >"$CACHE/etc/apt/sources.list" <<SRC
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
SRC
  # As in Debian's official images: no recommends, no docs, an empty apt cache.
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' >"$CACHE/etc/apt/apt.conf.d/90regionaliot"
  printf 'path-exclude /usr/share/doc/*\npath-include /usr/share/doc/*/copyright\npath-exclude /usr/share/man/*\npath-exclude /usr/share/locale/*\npath-include /usr/share/locale/ja/*\n' \
    >"$CACHE/etc/dpkg/dpkg.cfg.d/90regionaliot-nodoc"
  chroot "$CACHE" apt-get clean
  rm -rf "$CACHE"/var/lib/apt/lists/* "$CACHE"/var/cache/apt/*.bin "$CACHE"/tmp/*
  touch "$CACHE/.regionaliot-complete"
fi

say "podman import -> $TAG"
tar --numeric-owner --exclude=./.regionaliot-complete --exclude='./proc/*' --exclude='./sys/*' --exclude='./dev/*' \
    -C "$CACHE" -c . \
  | podman import -q --change 'CMD ["/bin/bash"]' --change 'ENV LANG=C.UTF-8' - "$TAG" >/dev/null
say "base image $TAG: $(podman image inspect --format '{{.Size}}' "$TAG" | numfmt --to=iec)"
