#!/usr/bin/env bash
# Lookup throughput with wrk (Debian: apt-get install wrk), a load generator light enough to leave the
# two cores to the hub and PostgreSQL: GET /scim/v2/Users?filter=userName eq "<random loaded user>"
# against a hub holding a directory loaded by bench/ScimScale.java.
#   RUN=<run id printed by ScimScale> bench/run-lookup-wrk.sh [URL]
# Environment: TOKEN (default bench-token), USERS (100000), DURATION seconds each (30), CONCURRENCY ("2 4 8 16 32"),
# WARMUP seconds at concurrency 16 before measuring (150: on two cores the JIT compiler was still busy 85 s
# into the load, and runs after 90 s measured a hub still warming; 0 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
URL=${1:-http://localhost:18090}
: "${RUN:?set RUN to the run id bench/ScimScale.java printed when it loaded the directory}"
export PREFIX="scale-$RUN-" TOKEN=${TOKEN:-bench-token} USERS=${USERS:-100000}
DURATION=${DURATION:-30}
WARMUP=${WARMUP:-150}
command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk" >&2; exit 2; }
if [ "$WARMUP" -gt 0 ]; then
  echo "warm-up (not measured): $(wrk -t2 -c16 -d${WARMUP}s -s bench/wrk/lookup.lua "$URL" | tail -1)"
fi
for c in ${CONCURRENCY:-2 4 8 16 32}; do
  line=$(wrk -t2 -c"$c" -d"${DURATION}s" -s bench/wrk/lookup.lua "$URL" | tail -1)
  echo "concurrency $c: $line"
  echo "$line" | awk -v c="$c" '{
      for (i = 1; i <= NF; i++) { if ($i == "=") rate = $(i+1); if ($i == "p99") p99 = $(i+1) }
      sub("/s;", "", rate); sub(",", "", p99);
      printf "  bar (>= 3000/s and p99 < 10 ms): %s\n", (rate + 0 >= 3000 && p99 + 0 < 10) ? "met" : "NOT MET" }'
done
