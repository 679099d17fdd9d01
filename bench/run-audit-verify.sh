#!/usr/bin/env bash
# Audit verification speed (database and offline export) over N generated records.
#   bench/run-audit-verify.sh [RECORDS]      default 1,000,000
# Compiles the project (no tests) and runs bench/AuditVerifyBench.java on its classes.
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=${1:-1000000}
mvn -B -q -DskipTests compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >/dev/null
java -Xmx2g -cp "target/classes:$(cat target/bench.classpath)" bench/AuditVerifyBench.java "$RECORDS"
