#!/usr/bin/env bash
# Lookups with wrk against one hub per variant, alternating, on a directory loaded by bench/ScimScale.java:
# the A/B comparison of a setting or of a build. Each variant is a set of environment assignments for the
# hub; JAR=<path> in a variant runs that build instead of $JAR.
#   RUN=<run id> DATA_DIR=/tmp/scale-data bench/run-lookup-variants.sh "SCIMFLOW_DB_RECORDS_GATHER=0ms" \
#       "SCIMFLOW_DB_RECORDS_GATHER=20ms"
#   RUN=<run id> DATA_DIR=/tmp/scale-data WARMUP=150 MEASUREMENTS=3 bench/run-lookup-variants.sh \
#       "JAR=/tmp/before.jar" "JAR=/tmp/after.jar"
# Each measurement also prints the CPU the hub and its PostgreSQL (all its processes) spent per lookup,
# from /proc: less noisy than the rate when two builds differ by a few per cent.
# Environment: JAR (target/scimflow.jar), ROUNDS (3), WARMUP seconds at concurrency 16 (60), CONCURRENCY (8),
# DURATION seconds per measurement (26), MEASUREMENTS per hub (2), PORT (18090), TOKEN (bench-token), USERS.
# The hub's data directory must not be in use: each hub starts and stops its embedded PostgreSQL there.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${RUN:?set RUN to the run id bench/ScimScale.java printed when it loaded the directory}"
: "${DATA_DIR:?set DATA_DIR to the data directory ScimScale loaded}"
[ $# -ge 1 ] || { echo "usage: $0 \"VAR=value ...\" [\"VAR=value ...\" ...]" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk" >&2; exit 2; }
PORT=${PORT:-18090}
export PREFIX="scale-$RUN-" TOKEN=${TOKEN:-bench-token} USERS=${USERS:-100000}
URL=http://127.0.0.1:$PORT
TICK=$(getconf CLK_TCK)
HUB=""
stop() {
  if [ -n "$HUB" ] && kill -0 "$HUB" 2>/dev/null; then
    kill "$HUB"
    while kill -0 "$HUB" 2>/dev/null; do sleep 1; done   # its PostgreSQL is stopped by then
  fi
  HUB=""
}
trap stop EXIT
# CPU ticks (user + system) of the given processes.
ticks() { for p in "$@"; do awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$p/stat" 2>/dev/null || true; done \
  | awk '{t += $1} END {print t + 0}'; }
postgres_pids() { local pm; pm=$(head -1 "$DATA_DIR/postgres/postmaster.pid"); echo "$pm" $(pgrep -P "$pm" || true); }
for r in $(seq 1 "${ROUNDS:-3}"); do
  for variant in "$@"; do
    jar=${JAR:-target/scimflow.jar}
    assignments=""
    for word in $variant; do
      case $word in JAR=*) jar=${word#JAR=} ;; *) assignments="$assignments $word" ;; esac
    done
    # shellcheck disable=SC2086 # a variant is a list of assignments
    env $assignments SPRING_FLYWAY_VALIDATE_ON_MIGRATE=false SCIMFLOW_DATA_DIR="$DATA_DIR" SERVER_PORT="$PORT" \
      SCIMFLOW_BOOTSTRAP_TOKEN="$TOKEN" java -jar "$jar" > "/tmp/lookup-variant-$r.log" 2>&1 &
    HUB=$!
    for _ in $(seq 1 120); do curl -sf "$URL/actuator/health" >/dev/null && break; sleep 1; done
    wrk -t2 -c16 -d"${WARMUP:-60}s" -s bench/wrk/lookup.lua "$URL" > /dev/null
    for _ in $(seq 1 "${MEASUREMENTS:-2}"); do
      pg=$(postgres_pids)
      # shellcheck disable=SC2086
      hub0=$(ticks "$HUB"); pg0=$(ticks $pg)
      line=$(wrk -t2 -c"${CONCURRENCY:-8}" -d"${DURATION:-26}s" -s bench/wrk/lookup.lua "$URL" | tail -1)
      # shellcheck disable=SC2086
      hub1=$(ticks "$HUB"); pg1=$(ticks $pg)
      echo "round $r [$variant] concurrency ${CONCURRENCY:-8}: $line"
      echo "$line" | awk -v h=$((hub1 - hub0)) -v p=$((pg1 - pg0)) -v tick="$TICK" '{
          n = $2 + 0; printf "  CPU per lookup: hub %.3f ms, PostgreSQL %.3f ms, together %.3f ms\n",
          h / tick * 1000 / n, p / tick * 1000 / n, (h + p) / tick * 1000 / n }'
    done
    stop
  done
done
