#!/bin/sh
# run_bench.sh — `make bench`'s driver: runs the per-op overhead benchmark in tensorgrad
# (BUILD/bench/overhead), libtorch (BUILD/bench/overhead_libtorch) and PyTorch
# (bench/overhead.py), checks that libtorch's and Python's x.grad and y agree with tensorgrad's
# (relative 1e-4), and prints a table of microseconds per op with ratios. Exits non-zero when a
# run fails or validation disagrees; a missing libtorch or torch is reported and skipped.
# Usage: tools/run_bench.sh [BUILD]   (env: PYTHON, BENCH_RUNS, BENCH_REPS override the defaults)
set -u
BUILD=${1:-build}
PYTHON=${PYTHON:-/usr/bin/python3}
cd "$(dirname "$0")/.." || exit 1

TOL=1e-4
status=0
checked=""

# field LINE KEY: the value of KEY=... in a key=value line
field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# agree NAME KEY LINE REFLINE: compares two comma-separated lists elementwise (relative TOL)
agree() {
    got=$(field "$3" "$2")
    want=$(field "$4" "$2")
    if ! awk -v g="$got" -v w="$want" -v tol="$TOL" 'BEGIN {
            n = split(g, a, ","); m = split(w, b, ",")
            if (n != m || n == 0) exit 1
            for (i = 1; i <= n; i++) {
                d = a[i] - b[i]; if (d < 0) d = -d
                s = b[i]; if (s < 0) s = -s; if (s < 1e-30) s = 1e-30
                if (d / s > tol) exit 1
            }
        }'; then
        echo "VALIDATION FAILED: $1 $2=$got, tensorgrad $2=$want (relative tolerance $TOL)" >&2
        status=1
    fi
}

echo "== overhead: y = y * 1.0001 + 0.5 x1000 (2000 ops) from a 2x2 float32 x, then sum + backward"

# ---- tensorgrad (always built by make bench)
tg_bin=$BUILD/bench/overhead
if [ ! -x "$tg_bin" ]; then
    echo "run_bench: $tg_bin is missing; run 'make bench'" >&2
    exit 1
fi
if ! tg_line=$("$tg_bin" ${BENCH_RUNS:+"$BENCH_RUNS"} ${BENCH_REPS:+"$BENCH_REPS"}); then
    echo "run_bench: tensorgrad overhead benchmark failed (validation or error above)" >&2
    exit 1
fi
echo "$tg_line"
lines="$tg_line"

# ---- libtorch (C++); built by make bench when libtorch-dev is installed
lt_bin=$BUILD/bench/overhead_libtorch
if [ -x "$lt_bin" ]; then
    if lt_line=$("$lt_bin" ${BENCH_RUNS:+"$BENCH_RUNS"} ${BENCH_REPS:+"$BENCH_REPS"}); then
        echo "$lt_line"
        agree libtorch grad "$lt_line" "$tg_line"
        agree libtorch y "$lt_line" "$tg_line"
        checked="$checked libtorch"
        lines="$lines
$lt_line"
    else
        echo "run_bench: libtorch overhead benchmark failed" >&2
        status=1
    fi
else
    echo "run_bench: SKIPPED libtorch: $lt_bin not built (install Debian's libtorch-dev," \
         "then 'make bench')"
fi

# ---- PyTorch from Python
if "$PYTHON" -c 'import torch' >/dev/null 2>&1; then
    if py_line=$("$PYTHON" bench/overhead.py ${BENCH_RUNS:+"$BENCH_RUNS"} ${BENCH_REPS:+"$BENCH_REPS"}); then
        echo "$py_line"
        agree python grad "$py_line" "$tg_line"
        agree python y "$py_line" "$tg_line"
        checked="$checked python"
        lines="$lines
$py_line"
    else
        echo "run_bench: Python overhead benchmark failed" >&2
        status=1
    fi
else
    echo "run_bench: SKIPPED python: '$PYTHON -c \"import torch\"' fails (install python3-torch)"
fi

# ---- table: median of the runs, min in parentheses; ratios of medians against tensorgrad
tg_f=$(field "$tg_line" forward_us_per_op)
tg_b=$(field "$tg_line" fwdbwd_us_per_op)
tg_fm=$(field "$tg_line" forward_min_us_per_op)
tg_bm=$(field "$tg_line" fwdbwd_min_us_per_op)
echo
echo "microseconds per op and ratios to tensorgrad: median of runs (min of runs); torch on 1 thread"
printf '%-11s %-17s %-17s %-15s %s\n' impl forward fwd+bwd "fwd ratio" "fwd+bwd ratio"
printf '%s\n' "$lines" | while read -r name rest; do
    l="$name $rest"
    f=$(field "$l" forward_us_per_op); fm=$(field "$l" forward_min_us_per_op)
    b=$(field "$l" fwdbwd_us_per_op); bm=$(field "$l" fwdbwd_min_us_per_op)
    awk -v n="$name" -v f="$f" -v fm="$fm" -v b="$b" -v bm="$bm" \
        -v tf="$tg_f" -v tb="$tg_b" -v tfm="$tg_fm" -v tbm="$tg_bm" \
        'BEGIN { printf "%-11s %-17s %-17s %-15s %s\n", n,
                 sprintf("%.3f (%.3f)", f, fm), sprintf("%.3f (%.3f)", b, bm),
                 sprintf("%.1fx (%.1fx)", f / tf, fm / tfm),
                 sprintf("%.1fx (%.1fx)", b / tb, bm / tbm) }'
done
awk -v f="$tg_f" -v b="$tg_b" -v fm="$tg_fm" -v bm="$tg_bm" 'BEGIN {
    printf "tensorgrad target: forward <= 0.15 us/op: median %s, min %s;" \
           " fwd+bwd <= 0.4 us/op: median %s, min %s\n",
           f <= 0.15 ? "met" : "MISSED", fm <= 0.15 ? "met" : "MISSED",
           b <= 0.4 ? "met" : "MISSED", bm <= 0.4 ? "met" : "MISSED" }'

# ---- activation checkpointing: memory saved, and time against PyTorch's checkpoint
echo
echo "== checkpoint: 16-layer tanh MLP (batch 512, width 256, float32), fwd+bwd, plain vs 4-layer segments checkpointed"
if ck_line=$("$BUILD/bench/checkpoint"); then
    echo "$ck_line"
    if "$PYTHON" -c 'import torch' >/dev/null 2>&1 && pk_line=$("$PYTHON" bench/checkpoint.py 2>/dev/null); then
        echo "$pk_line"
        agree pytorch_checkpoint grad_checksum "$pk_line" "$ck_line"
        awk -v a="$(field "$ck_line" plain_ms)" -v b="$(field "$ck_line" ckpt_ms)" \
            -v c="$(field "$pk_line" plain_ms)" -v d="$(field "$pk_line" ckpt_ms)" \
            -v p="$(field "$ck_line" plain_peak_bytes)" -v q="$(field "$ck_line" ckpt_peak_bytes)" \
            'BEGIN { printf "peak tensor memory: %.1f MB plain, %.1f MB checkpointed (%.0f%% saved)\n",
                     p / 1048576, q / 1048576, 100 * (1 - q / p);
                     printf "time: tensorgrad %.1f / %.1f ms, PyTorch %.1f / %.1f ms (plain / checkpointed); PyTorch/tensorgrad %.1fx / %.1fx\n",
                     a, b, c, d, c / a, d / b }'
    else
        echo "run_bench: SKIPPED PyTorch checkpoint comparison (torch missing)"
    fi
else
    echo "run_bench: checkpoint benchmark failed" >&2
    status=1
fi

if [ "$status" -ne 0 ]; then
    echo "run_bench: FAILED" >&2
else
    if [ -n "$checked" ]; then
        echo "validation: tensorgrad matches the closed form;" \
             "x.grad and y of$checked agree with it (relative $TOL)"
    else
        echo "validation: tensorgrad matches the closed form; no torch run to compare"
    fi
fi
exit "$status"
