#!/usr/bin/env bash
# What audit recording costs SCIM creates, with both hubs running side by side; or, with A_JAR/B_JAR and
# A_ENV/B_ENV, any two builds or settings compared the same way.
#
# bench/run-audit-cost.sh measures audit on and audit off one after the other, a few minutes apart; on
# this machine audit off alone has moved by 12-20% between such runs, as much as the cost being measured.
# Here hub A (audit on) and hub B (scimflow.audit.enabled=false), each with its own embedded PostgreSQL
# on a fresh data directory, run at the same time, and the load alternates between them in windows:
# A, B, B, A, A, B, ... (the order flips every pair, so a steady drift of the machine or of the growing
# tables falls on both sides alike). The idle hub meanwhile only runs its timers and whatever background
# work its last window left (PostgreSQL's autovacuum, the JVM's compiler): that work is charged to the
# window it falls in, so the script also reports each hub's CPU per create over the whole measured phase,
# idle windows included. Each window is timed with wrk (bench/wrk/create.lua); CPU comes from /proc.
#
# Prints one row per window, each pair's cost (B - A) / B, and over all pairs the median and the pooled
# cost (all of A's creates against all of B's).
#
#   bench/run-audit-interleaved.sh                       # 5 pairs of 40 s windows, concurrency 16
#   PAIRS=10 WINDOW=20 CONCURRENCY=8 bench/run-audit-interleaved.sh
#   JAR=/tmp/other.jar bench/run-audit-interleaved.sh    # a jar built elsewhere (default: built here)
#   HUB_ENV="SCIMFLOW_DB_GROUP_COMMIT_WORKERS=2" bench/run-audit-interleaved.sh   # extra settings, both hubs
#   A_NAME=new A_JAR=/tmp/new.jar A_ENV= B_NAME=old B_JAR=/tmp/old.jar B_ENV= bench/run-audit-interleaved.sh
#   KEEP_DATA=1 bench/run-audit-interleaved.sh          # keep both data directories (about 5 GB each)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
SRC=${BENCH_SRC:-/tmp/bench-src}
PORT_A=${PORT_A:-18081}
PORT_B=${PORT_B:-18082}
TOKEN=${BENCH_TOKEN:-bench-token}
CONCURRENCY=${CONCURRENCY:-16}
WARMUP_SECONDS=${WARMUP_SECONDS:-120}
WINDOW=${WINDOW:-40}
PAIRS=${PAIRS:-5}
START_TIMEOUT=${START_TIMEOUT:-120}
HUB_ENV=${HUB_ENV:-}
WORK=$(mktemp -d /tmp/scimflow-bench.XXXXXX)
command -v wrk >/dev/null || { echo "wrk is needed (Debian package wrk)" >&2; exit 1; }

A_NAME=${A_NAME:-audit-on}
B_NAME=${B_NAME:-audit-off}
A_ENV=${A_ENV-SCIMFLOW_AUDIT_ENABLED=true}
B_ENV=${B_ENV-SCIMFLOW_AUDIT_ENABLED=false}

declare -A PID PORT DATA HJAR HENV NAME
PORT[a]=$PORT_A; PORT[b]=$PORT_B
NAME[a]=$A_NAME; NAME[b]=$B_NAME
HENV[a]="$HUB_ENV $A_ENV"; HENV[b]="$HUB_ENV $B_ENV"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if [[ -z "${JAR:-}" && ( -z "${A_JAR:-}" || -z "${B_JAR:-}" ) ]]; then
    if [[ -d "$SRC/.git" ]]; then git -C "$SRC" pull -q; else git clone -q "$REPO" "$SRC"; fi
    log "building $SRC ($(git -C "$SRC" log -1 --format='%h %s'))"
    (cd "$SRC" && mvn -B -q package -DskipTests)
    JAR="$SRC/target/scimflow.jar"
fi
HJAR[a]=${A_JAR:-$JAR}; HJAR[b]=${B_JAR:-$JAR}
for h in a b; do [[ -f "${HJAR[$h]}" ]] || { log "no jar at ${HJAR[$h]}"; exit 1; }; done

postmaster_pid() { local f="${DATA[$1]}/postgres/postmaster.pid"; [[ -f "$f" ]] && head -1 "$f"; }

start_hub() {
    local mode=$1
    if (exec 3<>"/dev/tcp/127.0.0.1/${PORT[$mode]}") 2>/dev/null; then
        log "port ${PORT[$mode]} is already taken: refusing to measure someone else's process"
        exit 1
    fi
    DATA[$mode]="$WORK/data-$mode"
    log "starting hub ${NAME[$mode]} (${HJAR[$mode]}, port ${PORT[$mode]}, data in ${DATA[$mode]}, env:${HENV[$mode]})"
    # Started from the repository: the hub reads its routes from ./routes.
    (cd "$REPO" && exec env ${HENV[$mode]} SCIMFLOW_DATA_DIR="${DATA[$mode]}" SERVER_PORT="${PORT[$mode]}" \
        SCIMFLOW_BOOTSTRAP_TOKEN="$TOKEN" java -jar "${HJAR[$mode]}" >"$WORK/hub-$mode.log" 2>&1) &
    PID[$mode]=$!
}

await_hub() {
    local mode=$1 waited=0
    until grep -q "Started ScimflowApplication" "$WORK/hub-$mode.log" 2>/dev/null; do
        if ! kill -0 "${PID[$mode]}" 2>/dev/null; then
            log "hub ${NAME[$mode]} exited during start:"; tail -20 "$WORK/hub-$mode.log" >&2; exit 1
        fi
        (( waited++ >= START_TIMEOUT )) && { log "hub ${NAME[$mode]} not started after ${START_TIMEOUT}s"; exit 1; }
        sleep 1
    done
}

stop_hubs() {
    local mode pm
    for mode in "${!PID[@]}"; do
        pm=$(postmaster_pid "$mode" || true)
        kill "${PID[$mode]}" 2>/dev/null || true
        for _ in $(seq 30); do kill -0 "${PID[$mode]}" 2>/dev/null || break; sleep 1; done
        kill -9 "${PID[$mode]}" 2>/dev/null || true
        if [[ -n "$pm" ]] && kill -0 "$pm" 2>/dev/null; then kill -INT "$pm" 2>/dev/null || true; fi
        wait "${PID[$mode]}" 2>/dev/null || true
        # A run leaves some 5 GB of database per hub; the logs and wrk output stay in $WORK.
        [[ -n "${KEEP_DATA:-}" || -z "${DATA[$mode]:-}" ]] || rm -rf "${DATA[$mode]}"
    done
}
trap stop_hubs EXIT
trap 'exit 130' INT TERM

ticks_of() {
    [[ -r /proc/$1/stat ]] || { echo 0; return; }
    awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

# The hub's PostgreSQL: the postmaster and its backends (pooled connections live for the whole run).
postgres_ticks() {
    local pm total=0 p
    pm=$(postmaster_pid "$1" || true)
    [[ -n "$pm" ]] || { echo 0; return; }
    total=$(ticks_of "$pm")
    for p in $(ps -o pid= --ppid "$pm"); do total=$(( total + $(ticks_of "$p") )); done
    echo "$total"
}

# wrk's create phase against one hub; prints create.lua's row: phase requests errors seconds req/s p50 p90 p99 max.
create_window() {   # mode prefix seconds
    local mode=$1 prefix=$2 seconds=$3 out="$WORK/wrk-$1-$2.txt"
    PHASE=create PREFIX=$prefix TOKEN=$TOKEN \
        wrk -t2 -c"$CONCURRENCY" -d"${seconds}s" -s "$REPO/bench/wrk/create.lua" "http://127.0.0.1:${PORT[$mode]}" \
        >"$out" 2>&1 || { cat "$out" >&2; return 1; }
    grep -h '^create ' "$out"
}

start_hub a
start_hub b
await_hub a
await_hub b
log "both hubs started; warming each up with ${WARMUP_SECONDS}s of creates at concurrency $CONCURRENCY"
for mode in a b; do
    echo "warm-up, ${NAME[$mode]}: $(create_window "$mode" "w$mode-" "$WARMUP_SECONDS")"
done
echo
echo "A = ${NAME[a]}: ${HJAR[a]} ${HENV[a]}"
echo "B = ${NAME[b]}: ${HJAR[b]} ${HENV[b]}"
echo "concurrency $CONCURRENCY; $PAIRS pairs of ${WINDOW}s windows"
printf '%-6s %-10s %9s %8s %8s %8s %8s %13s %13s\n' pair hub create/s p50_ms p90_ms p99_ms max_ms hub_ms/create pg_ms/create
hz=$(getconf CLK_TCK)
declare -A rate made hub_start pg_start
for mode in a b; do hub_start[$mode]=$(ticks_of "${PID[$mode]}"); pg_start[$mode]=$(postgres_ticks "$mode"); made[$mode]=0; done
costs=()
sum_on=0; sum_off=0
for pair in $(seq 1 "$PAIRS"); do
    order="a b"; (( pair % 2 == 0 )) && order="b a"
    for mode in $order; do
        h0=$(ticks_of "${PID[$mode]}"); p0=$(postgres_ticks "$mode")
        row=$(create_window "$mode" "m$pair$mode-" "$WINDOW")
        h1=$(ticks_of "${PID[$mode]}"); p1=$(postgres_ticks "$mode")
        read -r _ requests errors secs rps p50 p90 p99 max <<<"$row"
        rate[$mode]=$rps
        made[$mode]=$(( made[$mode] + requests ))
        awk -v pair="$pair" -v mode="${NAME[$mode]}" -v rps="$rps" -v p50="$p50" -v p90="$p90" -v p99="$p99" -v max="$max" \
            -v n="$requests" -v err="$errors" -v hub=$((h1 - h0)) -v pg=$((p1 - p0)) -v hz="$hz" 'BEGIN {
            printf "%-6s %-10s %9.1f %8.2f %8.2f %8.2f %8.2f %13.3f %13.3f%s\n", pair, mode, rps, p50, p90, p99, max,
                1000 * hub / hz / n, 1000 * pg / hz / n, (err > 0 ? "   " err " errors" : "") }'
    done
    cost=$(awk -v on="${rate[a]}" -v off="${rate[b]}" 'BEGIN { printf "%.1f", 100 * (off - on) / off }')
    costs+=("$cost")
    sum_on=$(awk -v a="$sum_on" -v b="${rate[a]}" 'BEGIN { print a + b }')
    sum_off=$(awk -v a="$sum_off" -v b="${rate[b]}" 'BEGIN { print a + b }')
    echo "       pair $pair: (B - A) / B = ${cost}%"
done
# CPU over the whole measured phase, idle windows included: background work (PostgreSQL's checkpointer
# and autovacuum, the JVM's compiler and collector) that one hub does while the other is loaded is
# charged to the hub that caused it, not to the window it fell in.
for mode in a b; do
    awk -v mode="${NAME[$mode]}" -v n="${made[$mode]}" -v hub=$(( $(ticks_of "${PID[$mode]}") - hub_start[$mode] )) \
        -v pg=$(( $(postgres_ticks "$mode") - pg_start[$mode] )) -v hz="$hz" 'BEGIN {
        printf "%-10s over the whole phase: %d creates, hub %.3f + PostgreSQL %.3f = %.3f ms CPU per create\n",
            mode, n, 1000 * hub / hz / n, 1000 * pg / hz / n, 1000 * (hub + pg) / hz / n }'
done
printf '%s\n' "${costs[@]}" | sort -g | awk -v on="$sum_on" -v off="$sum_off" '{ c[NR] = $1 } END {
    m = (NR % 2) ? c[(NR + 1) / 2] : (c[NR / 2] + c[NR / 2 + 1]) / 2
    printf "(B - A) / B over %d pairs: median %.1f%%, pooled %.1f%% (A %.1f/s, B %.1f/s on average), lowest %.1f%%, highest %.1f%%\n",
        NR, m, 100 * (off - on) / off, on / NR, off / NR, c[1], c[NR] }'
echo "logs and raw output: $WORK"
