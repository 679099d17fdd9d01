#!/usr/bin/env bash
# What audit recording costs SCIM writes and lookups.
#
# Builds the hub from a clone of this repository (its committed state), then runs the load twice with
# the same parameters against a hub on a fresh data directory: once with audit on, once with
# scimflow.audit.enabled=false (ROUNDS such pairs). Prints both results, where the CPU went, and the
# audit cost on create throughput, (off - on) / off. Both hubs (and their embedded PostgreSQL) are stopped on exit.
#
# The load program is wrk (Debian's package) with bench/wrk/create.lua and bench/wrk/lookup.lua when it is
# installed: it uses about 0.1 of a core, where bench/ScimLoad.java (LOADER=java) used 0.38 of the two the
# hub and PostgreSQL share. With wrk the phases are timed: WARMUP_SECONDS (150; a hub's compiler was still
# busy 85 s into a lookup load) of creates and 20 s of
# lookups, then CREATE_SECONDS (40) of creates and LOOKUP_SECONDS (20) of lookups of the users just created.
# With LOADER=java they are counted: the warm-up (10,000 creates and 10,000 lookups per hub) is what the JIT
# needs on two cores; with 2,000, the measured phase still ran partly interpreted and creates came out about
# 40% slower.
#
# Everything is tunable from the environment, e.g.
#   CONCURRENCY=8 bench/run-audit-cost.sh
#   SKIP_BUILD=1 LOADER=java CREATES=5000 READS=5000 bench/run-audit-cost.sh
#   ROUNDS=3 CONCURRENCY=16 bench/run-audit-cost.sh     # three on/off pairs and the median cost
#   KEEP_DATA=1 bench/run-audit-cost.sh                  # keep each hub's data directory
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
SRC=${BENCH_SRC:-/tmp/bench-src}          # built here, so the working tree's target/ is never touched
PORT=${BENCH_PORT:-18080}
TOKEN=${BENCH_TOKEN:-bench-token}
CREATES=${CREATES:-40000}
READS=${READS:-20000}
CONCURRENCY=${CONCURRENCY:-32}
WARMUP=${WARMUP:-10000}
LOADER=${LOADER:-$(command -v wrk >/dev/null && echo wrk || echo java)}
WARMUP_SECONDS=${WARMUP_SECONDS:-150}
CREATE_SECONDS=${CREATE_SECONDS:-40}
LOOKUP_SECONDS=${LOOKUP_SECONDS:-20}
MAX_SECONDS=${MAX_SECONDS:-180}
START_TIMEOUT=${START_TIMEOUT:-120}
WORK=$(mktemp -d /tmp/scimflow-bench.XXXXXX)

HUB_PID=""
HUB_DATA=""

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

build() {
    if [[ -d "$SRC/.git" ]]; then
        git -C "$SRC" pull -q
    else
        git clone -q "$REPO" "$SRC"
    fi
    log "building $SRC ($(git -C "$SRC" log -1 --format='%h %s'))"
    (cd "$SRC" && mvn -B -q package -DskipTests)
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

# The embedded PostgreSQL's postmaster, from its pid file in the hub's data directory.
postmaster_pid() {
    local f="$HUB_DATA/postgres/postmaster.pid"
    [[ -f "$f" ]] && head -1 "$f"
}

start_hub() {
    local label=$1 audit=$2
    if port_in_use; then
        log "port $PORT is already taken: refusing to measure someone else's process"
        exit 1
    fi
    HUB_DATA="$WORK/data-$label"
    log "starting hub ($label, scimflow.audit.enabled=$audit, data in $HUB_DATA)"
    (cd "$SRC" && SCIMFLOW_DATA_DIR="$HUB_DATA" SERVER_PORT="$PORT" SCIMFLOW_BOOTSTRAP_TOKEN="$TOKEN" \
        SCIMFLOW_AUDIT_ENABLED="$audit" exec java -jar target/scimflow.jar >"$WORK/hub-$label.log" 2>&1) &
    HUB_PID=$!
    local waited=0
    until grep -q "Started ScimflowApplication" "$WORK/hub-$label.log" 2>/dev/null; do
        if ! kill -0 "$HUB_PID" 2>/dev/null; then
            log "hub exited during start; last lines of $WORK/hub-$label.log:"
            tail -20 "$WORK/hub-$label.log" >&2
            exit 1
        fi
        if (( waited++ >= START_TIMEOUT )); then
            log "hub not started after ${START_TIMEOUT}s"
            exit 1
        fi
        sleep 1
    done
}

stop_hub() {
    [[ -n "$HUB_PID" ]] || return 0
    local pm
    pm=$(postmaster_pid || true)
    kill "$HUB_PID" 2>/dev/null || true
    for _ in $(seq 30); do kill -0 "$HUB_PID" 2>/dev/null || break; sleep 1; done
    kill -9 "$HUB_PID" 2>/dev/null || true
    # The hub stops its PostgreSQL on a clean shutdown; only a hard kill leaves it behind.
    if [[ -n "$pm" ]] && kill -0 "$pm" 2>/dev/null; then
        kill -INT "$pm" 2>/dev/null || true
    fi
    wait "$HUB_PID" 2>/dev/null || true
    HUB_PID=""
    # Each hub's database runs to gigabytes; the logs and load output stay in $WORK.
    [[ -n "${KEEP_DATA:-}" || -z "$HUB_DATA" ]] || rm -rf "$HUB_DATA"
}
trap stop_hub EXIT
trap 'exit 130' INT TERM

# CPU clock ticks used so far by a process (with its reaped children when $2 is set).
ticks_of() {
    [[ -r /proc/$1/stat ]] || { echo 0; return; }
    awk -v kids="${2:-}" '{ sub(/.*\) /, ""); t = $12 + $13; if (kids) t += $14 + $15; print t }' "/proc/$1/stat"
}

# The postmaster and its backends (pooled connections live for the whole run).
postgres_ticks() {
    local pm total=0 p
    pm=$(postmaster_pid || true)
    [[ -n "$pm" ]] || { echo 0; return; }
    total=$(ticks_of "$pm" kids)
    for p in $(ps -o pid= --ppid "$pm"); do total=$(( total + $(ticks_of "$p") )); done
    echo "$total"
}

machine_ticks() { awk '/^cpu / { print $2+$3+$4+$5+$6+$7+$8+$9, $5+$6 }' /proc/stat; }

run_load() {
    local label=$1
    local out="$WORK/load-$label.txt"
    local hz hub0 pg0 hub1 pg1 m0 m1 start end
    hz=$(getconf CLK_TCK)
    hub0=$(ticks_of "$HUB_PID"); pg0=$(postgres_ticks); m0=$(machine_ticks); start=$(date +%s.%N)
    local TIMEFORMAT='%U %S'
    if [[ $LOADER == wrk ]]; then
        { time wrk_load "$label" >"$out" 2>&1 ; } 2>"$WORK/time-$label.txt"
    else
        { time java "$REPO/bench/ScimLoad.java" --url "http://127.0.0.1:$PORT" --token "$TOKEN" \
            --creates "$CREATES" --reads "$READS" --concurrency "$CONCURRENCY" --warmup "$WARMUP" \
            --max-seconds "$MAX_SECONDS" >"$out" 2>&1 ; } 2>"$WORK/time-$label.txt"
    fi
    end=$(date +%s.%N)
    hub1=$(ticks_of "$HUB_PID"); pg1=$(postgres_ticks); m1=$(machine_ticks)
    cat "$out"
    # Average cores busy over the load program's lifetime (warmup included), by process.
    read -r load_u load_s <"$WORK/time-$label.txt"
    read -r mt0 mi0 <<<"$m0"; read -r mt1 mi1 <<<"$m1"
    awk -v hz="$hz" -v start="$start" -v end="$end" -v hub=$((hub1 - hub0)) -v pg=$((pg1 - pg0)) \
        -v load_u="$load_u" -v load_s="$load_s" -v busy=$(( (mt1 - mi1) - (mt0 - mi0) )) -v cores="$(nproc)" '
        BEGIN {
            wall = end - start; load = load_u + load_s
            hub /= hz; pg /= hz; busy /= hz; other = busy - hub - pg - load; if (other < 0) other = 0
            printf "cpu (average cores busy over %.1f s, %d cores): hub jvm %.2f, postgres %.2f, load program %.2f, other %.2f, machine %.0f%%\n",
                   wall, cores, hub / wall, pg / wall, load / wall, other / wall, 100 * busy / (wall * cores)
        }'
    audit_rows "$label"
}

# The same phases with wrk: creates, then lookups of exactly the users those creates made. A create phase
# writes the users it made to <list> (one file per wrk thread, joined here); a lookup phase reads it.
wrk_phase() {   # phase prefix seconds script list
    local phase=$1 prefix=$2 seconds=$3 script=$4 list=$5
    PHASE=$phase PREFIX=$prefix TOKEN=$TOKEN LIST=$list \
        wrk -t2 -c"$CONCURRENCY" -d"${seconds}s" -s "$REPO/bench/wrk/$script" "http://127.0.0.1:$PORT" \
        >"$WORK/wrk-$phase-$prefix.txt" 2>&1 || { cat "$WORK/wrk-$phase-$prefix.txt"; return 1; }
    if [[ $phase == create ]]; then
        cat "$list".* >"$list"
    fi
}

wrk_load() {
    local label=$1 run
    run=$(date +%s%N | tail -c 9)
    echo "loader=wrk url=http://127.0.0.1:$PORT run=$run concurrency=$CONCURRENCY warmup=${WARMUP_SECONDS}s+20s create=${CREATE_SECONDS}s lookup=${LOOKUP_SECONDS}s"
    wrk_phase create "w$run-" "$WARMUP_SECONDS" create.lua "$WORK/created-$label-warm"
    wrk_phase lookup "w$run-" 20 lookup.lua "$WORK/created-$label-warm"
    wrk_phase create "m$run-" "$CREATE_SECONDS" create.lua "$WORK/created-$label"
    wrk_phase lookup "m$run-" "$LOOKUP_SECONDS" lookup.lua "$WORK/created-$label"
    echo "warm-up: $(grep -h '^create ' "$WORK/wrk-create-w$run-.txt") / $(tail -1 "$WORK/wrk-lookup-w$run-.txt")"
    echo
    printf '%-8s %9s %7s %9s %10s %8s %8s %8s %8s\n' phase requests errors seconds req/s p50_ms p90_ms p99_ms max_ms
    grep -h '^create ' "$WORK/wrk-create-m$run-.txt"
    # lookup.lua's summary line, as a row of the same table (wrong answers count as errors).
    awk '/^lookups:/ {
        n = $2; secs = $4; rate = $7; sub("/s;", "", rate)
        for (i = 1; i <= NF; i++) { v = $(i+1); sub(/,|;/, "", v)
            if ($i == "p50") p50 = v; if ($i == "p90") p90 = v; if ($i == "p99") p99 = v; if ($i == "max") max = v
            if ($i == "answers") wrong = v; if ($i == "errors") sock = v }
        printf "%-8s %9d %7d %9.3f %10.1f %8.2f %8.2f %8.2f %8.2f\n", "lookup", n, wrong + sock, secs, rate, p50, p90, p99, max
    }' "$WORK/wrk-lookup-m$run-.txt"
    grep -h '^users created' "$WORK/wrk-create-m$run-.txt"
}

# How many audit records the run left, straight from the hub's database (skipped without psql).
audit_rows() {
    command -v psql >/dev/null || return 0
    local pgport
    pgport=$(grep -o 'Embedded PostgreSQL started on port [0-9]*' "$WORK/hub-$1.log" | awk '{ print $NF }')
    [[ -n "$pgport" ]] || return 0
    echo "audit records in store: $(PGPASSWORD=$(cat "$WORK/data-$1/postgres-password" 2>/dev/null) \
        psql -h 127.0.0.1 -p "$pgport" -U postgres -d scimflow -Atc \
        'select count(*) from audit_event' 2>/dev/null || echo '?')"
}

# The create row of the result table: phase requests errors seconds req/s p50 p90 p99 max.
creates_per_second() { awk '$1 == "create" && NF == 9 { print $5; exit }' "$WORK/load-$1.txt"; }

if [[ -z "${SKIP_BUILD:-}" ]]; then
    build
fi
[[ -f "$SRC/target/scimflow.jar" ]] || { log "no $SRC/target/scimflow.jar; run without SKIP_BUILD"; exit 1; }

# ROUNDS pairs, the order alternating (on/off, off/on, ...) so that a drift of the machine over the run
# does not always fall on the same side. One pair's cost moves by several points between identical runs
# (audit off alone has moved by 20%), so with ROUNDS > 1 the verdict is the median of the pairs' costs.
ROUNDS=${ROUNDS:-1}
costs=()
for round in $(seq 1 "$ROUNDS"); do
    order="on off"; (( round % 2 == 0 )) && order="off on"
    for mode in $order; do
        audit=true; [[ $mode == off ]] && audit=false
        label="audit-$mode"; round_note=""
        if (( ROUNDS > 1 )); then label="$label-$round"; round_note=" round $round of $ROUNDS"; fi
        start_hub "$label" "$audit"
        if [[ $LOADER == wrk ]]; then
            echo "== audit $mode (loader wrk, concurrency=$CONCURRENCY)$round_note"
        else
            echo "== audit $mode (creates=$CREATES reads=$READS concurrency=$CONCURRENCY warmup=$WARMUP)$round_note"
        fi
        run_load "$label"
        stop_hub
        echo
    done
    suffix=""; (( ROUNDS > 1 )) && suffix="-$round"
    on=$(creates_per_second "audit-on$suffix")
    off=$(creates_per_second "audit-off$suffix")
    cost=$(awk -v on="$on" -v off="$off" 'BEGIN { printf "%.1f", (off > 0 ? 100 * (off - on) / off : 0) }')
    costs+=("$cost")
    echo "create throughput: audit on ${on}/s, audit off ${off}/s, audit cost (off-on)/off = ${cost}%"
    echo
done

if (( ROUNDS > 1 )); then
    printf '%s\n' "${costs[@]}" | sort -g | awk '{ c[NR] = $1 } END {
        m = (NR % 2) ? c[(NR + 1) / 2] : (c[NR / 2] + c[NR / 2 + 1]) / 2
        printf "audit cost over %d rounds: median %.1f%%, lowest %.1f%%, highest %.1f%%\n", NR, m, c[1], c[NR] }'
fi
echo "logs and raw output: $WORK"
