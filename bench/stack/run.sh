#!/usr/bin/env bash
# Times the two commands a newcomer runs, in one go, on a fresh clone:
#   cold `make up` (new venv, new data directory, nothing started),
#   warm `make up` (everything already there), and `make test`.
# Runs on its own ports and data directory so it never touches a running portal.
# Usage: bench/stack/run.sh [CLONE_DIR]   (default: a temporary directory)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CLONE=${1:-$(mktemp -d /tmp/regionaliot-bench-stack.XXXXXX)}
# A truer cold start: no pip cache (Maven's ~/.m2 and Debian packages may still be present).
export PIP_NO_CACHE_DIR=1
export PG_PORT=${PG_PORT:-25432} REDIS_PORT=${REDIS_PORT:-26379} SOLR_PORT=${SOLR_PORT:-28983} CKAN_PORT=${CKAN_PORT:-25000}

rm -rf "$CLONE"
git clone -q "$ROOT" "$CLONE"
cd "$CLONE"
export REGIONALIOT_DATA=$CLONE/var

timed() {  # timed LABEL COMMAND...: prints LABEL seconds
  local label=$1 start end; shift
  start=$(date +%s.%N)
  "$@" >"$CLONE/bench-$label.log" 2>&1 || { echo "$label failed: see $CLONE/bench-$label.log" >&2; exit 1; }
  end=$(date +%s.%N)
  awk -v l="$label" -v s="$start" -v e="$end" 'BEGIN { printf "%s %.1f\n", l, e - s }'
}

trap 'make down >/dev/null 2>&1 || true' EXIT
cold=$(timed cold_up make up)
warm=$(timed warm_up make up)
tests=$(timed test make test)
echo "$cold"; echo "$warm"; echo "$tests"
c=$(echo "$cold" | cut -d' ' -f2); w=$(echo "$warm" | cut -d' ' -f2)
awk -v c="$c" -v w="$w" 'BEGIN { printf "warm/cold ratio %.2f\n", w / c }'
