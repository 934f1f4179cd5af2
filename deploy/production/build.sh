#!/usr/bin/env bash
# Builds every image of the production stack with podman, from the Debian base image that
# deploy/production/base-image.sh makes (no registry is reachable here). The same Dockerfiles
# build with Docker elsewhere (BASE_IMAGE defaults to debian:bookworm-slim there).
#
#   deploy/production/build.sh [IMAGE...]    default: all; IMAGE in base ckan solr postgres redis mosquitto nginx
#   COLD=1 deploy/production/build.sh        from nothing: debootstrap again, no layer cache
#                                            (the pip/Maven download cache mounts are kept)
#
# Appends one line per image to $REGIONALIOT_DATA/production/build-times.tsv (seconds).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${REGIONALIOT_DATA:-$ROOT/var}
TAG=${REGIONALIOT_TAG:-latest}
BASE=localhost/regionaliot/debian:bookworm
LOG=$DATA/production/logs
mkdir -p "$LOG"
say() { printf '==> %s\n' "$*"; }

declare -A FILE=(
  [ckan]=deploy/docker/Dockerfile
  [solr]=deploy/docker/solr/Dockerfile
  [postgres]=deploy/docker/postgres/Dockerfile
  [redis]=deploy/docker/redis/Dockerfile
  [mosquitto]=deploy/docker/mosquitto/Dockerfile
  [nginx]=deploy/docker/nginx/Dockerfile
)
# A host behind a TLS-inspecting proxy trusts its CA; the build steps that fetch from PyPI,
# npm and Maven Central must too. The host's trust store is mounted for RUN steps only and
# never lands in an image.
HOST_CERTS=${HOST_CERTS:-/etc/ssl/certs}
CA_ARGS=()
if [ -f "$HOST_CERTS/ca-certificates.crt" ]; then
  CA_ARGS=(-v "$HOST_CERTS:/run/host-certs:ro"
           --build-arg PIP_CERT=/run/host-certs/ca-certificates.crt
           --build-arg SSL_CERT_FILE=/run/host-certs/ca-certificates.crt)
  [ -f "$HOST_CERTS/java/cacerts" ] \
    && CA_ARGS+=(--build-arg "MAVEN_OPTS=-Djavax.net.ssl.trustStore=/run/host-certs/java/cacerts")
fi

CACHE_ARGS=(--layers)
if [ -n "${COLD:-}" ]; then
  CACHE_ARGS=(--no-cache)
  export REBUILD_BASE=1
  rm -f "$DATA/production/debootstrap-bookworm/.regionaliot-complete"
fi

# The build context is the committed tree (git archive of HEAD, or $SOURCE_REF), never the
# working tree: several engineers edit it at once, and an image must be of one commit. Every
# file gets one fixed time, so an unchanged file never invalidates a cached layer.
REF=${SOURCE_REF:-HEAD}
COMMIT=$(git -C "$ROOT" rev-parse --short "$REF")
mkdir -p "$DATA/production"
CONTEXT=$(mktemp -d "$DATA/production/context.XXXXXX")  # one per run: builds may run side by side
trap 'rm -rf "$CONTEXT"' EXIT
git -C "$ROOT" archive "$REF" | tar -x -C "$CONTEXT"
find "$CONTEXT" -exec touch -h -d @0 {} +
say "build context: commit $COMMIT"

images=("$@")
[ ${#images[@]} -gt 0 ] || images=(base ckan solr postgres redis mosquitto nginx)

for image in "${images[@]}"; do
  start=$SECONDS
  if [ "$image" = base ]; then
    "$ROOT/deploy/production/base-image.sh" "$BASE"
  else
    [ -n "${FILE[$image]:-}" ] || { echo "FAILED: unknown image $image" >&2; exit 64; }
    say "building regionaliot/$image:$TAG"
    # The small images share the CKAN image's ignore file: the context is the repository root.
    (cd "$CONTEXT" && podman build "${CACHE_ARGS[@]}" --pull=never --build-arg "BASE_IMAGE=$BASE" "${CA_ARGS[@]}" \
        --ignorefile deploy/docker/Dockerfile.dockerignore \
        -f "${FILE[$image]}" -t "regionaliot/$image:$TAG" .) >"$LOG/build-$image.log" 2>&1 \
      || { tail -30 "$LOG/build-$image.log" >&2; echo "FAILED: building $image (see $LOG/build-$image.log)" >&2; exit 1; }
  fi
  secs=$((SECONDS - start))
  printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$image" "$secs" "${COLD:+cold}" "$COMMIT" >>"$DATA/production/build-times.tsv"
  say "$image: $secs s"
done
