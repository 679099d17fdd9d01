#!/usr/bin/env bash
# Pools several outputs of bench/run-audit-interleaved.sh into one figure for the audit's cost.
#
# One run of five pairs moves by several points between identical runs on a shared two-core machine (a
# window that meets autovacuum, a checkpoint or a slow minute of the host reads 10-20% low), so a single
# run says little about the cost itself. Given the saved outputs of several runs of the same builds, this
# prints each run's pooled cost, the cost pooled over every pair of every run, the median pair, and the
# mean of the runs' costs with a 95% confidence interval (Student's t over runs, each run one sample).
#
#   bench/run-audit-interleaved.sh > run1.txt; bench/run-audit-interleaved.sh > run2.txt; ...
#   bench/audit-cost-runs.sh run1.txt run2.txt ...
set -euo pipefail
(( $# >= 2 )) || { echo "usage: $0 RUN_OUTPUT RUN_OUTPUT..." >&2; exit 2; }

awk '
FNR == 1 { run++; a[run] = 0; b[run] = 0; name[run] = FILENAME; an = ""; bn = "" }
/^A = / { an = $3; sub(/:$/, "", an) }
/^B = / { bn = $3; sub(/:$/, "", bn) }
/^[0-9]+ / && an != "" && $2 == an { a[run] += $3; na[run]++ }
/^[0-9]+ / && bn != "" && $2 == bn { b[run] += $3; nb[run]++ }
/pair [0-9]+: \(B - A\) \/ B = / { v = $NF; sub(/%$/, "", v); runpair[run, ++rp[run]] = v + 0 }
END {
    split("12.706 4.303 3.182 2.776 2.571 2.447 2.365 2.306 2.262 2.228 2.201 2.179 2.160 2.145 2.131 " \
          "2.120 2.110 2.101 2.093 2.086 2.080 2.074 2.069 2.064 2.060 2.056 2.052 2.048 2.045 2.042", t, " ")
    n = 0
    for (r = 1; r <= run; r++) {
        if (na[r] == 0 || na[r] != nb[r] || b[r] == 0) {
            printf "%s: no complete pairs, left out\n", name[r]; continue
        }
        c = 100 * (b[r] - a[r]) / b[r]
        printf "%-40s %2d pairs  pooled %5.1f%%\n", name[r], na[r], c
        cost[++n] = c; sa += a[r]; sb += b[r]; pn += na[r]
        for (k = 1; k <= rp[r]; k++) pairs[++np] = runpair[r, k]
    }
    if (n < 2) { print "need at least two complete runs"; exit 1 }
    for (i = 1; i <= n; i++) mean += cost[i] / n
    for (i = 1; i <= n; i++) ss += (cost[i] - mean) ^ 2
    se = sqrt(ss / (n - 1)) / sqrt(n)
    q = (n - 1 <= 30) ? t[n - 1] : 1.96
    # the median pair
    for (i = 1; i <= np; i++) for (j = i + 1; j <= np; j++) if (pairs[j] < pairs[i]) { x = pairs[i]; pairs[i] = pairs[j]; pairs[j] = x }
    med = (np % 2) ? pairs[(np + 1) / 2] : (pairs[np / 2] + pairs[np / 2 + 1]) / 2
    above = 0; for (i = 1; i <= n; i++) if (cost[i] >= 10) above++
    printf "over %d pairs of %d runs: A %.1f/s, B %.1f/s on average, pooled %.1f%%, median pair %.1f%%\n",
        pn, n, sa / pn, sb / pn, 100 * (sb - sa) / sb, med
    printf "mean of the runs'\'' costs %.1f%%, 95%% confidence interval %.1f%% to %.1f%% (t = %.3f, %d runs); %d of %d runs at 10%% or more\n",
        mean, mean - q * se, mean + q * se, q, n, above, n
}' "$@"
