#!/usr/bin/env bash
# Audit queries, timeline and export over a large store (default 5,000,000 records).
#   bench/run-audit-query.sh [RECORDS]
# 1. builds the hub, starts it once on a fresh data dir (migrations, roles), stops it;
# 2. loads RECORDS chained records straight into its embedded database;
# 3. starts the hub again and measures through the HTTP API. Everything runs on localhost only.
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=${1:-5000000}
PORT=${BENCH_PORT:-18095}
TOKEN=bench-token
DATA=$(mktemp -d /tmp/scimflow-query-bench.XXXXXX)
mvn -B -q -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >/dev/null
CP="target/classes:$(cat target/bench.classpath)"
rm -rf target/bench-classes && javac -d target/bench-classes -cp "$CP" bench/AuditVerifyBench.java bench/AuditQueryBench.java

start_hub() {
  SCIMFLOW_DATA_DIR=$DATA SERVER_PORT=$PORT SCIMFLOW_BOOTSTRAP_TOKEN=$TOKEN \
    java -Xmx1g -jar target/scimflow.jar > "$DATA/hub.log" 2>&1 &
  HUB=$!
  for _ in $(seq 1 240); do
    curl -sf "localhost:$PORT/actuator/health" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "hub did not start" >&2; exit 1
}
stop_hub() { kill "$HUB"; wait "$HUB" || true; }
trap 'kill $HUB 2>/dev/null || true' EXIT

start_hub; stop_hub
java -Xmx2g -cp "target/bench-classes:$CP" AuditQueryBench load "$DATA" "$RECORDS"
start_hub
java -cp "target/bench-classes:$CP" AuditQueryBench query "http://localhost:$PORT" "$TOKEN" "$HUB" "$DATA"
stop_hub
echo "data kept in $DATA (delete it when done)"
