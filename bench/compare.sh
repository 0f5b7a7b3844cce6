#!/bin/sh
# compare.sh - two builds of clinit, old and new, timed in the same run,
# interleaved (old, new, old, new, ...), so that the ratio new/old of each
# row shares the machine's state of the moment (bench/README.md).
#
#   sh bench/compare.sh OLD_BUILD NEW_BUILD
#
# Each build directory holds bench/clinit-fill-one and bench/clinit-bench
# (cmake --build DIR --target clinit-fill-one clinit-bench).
#
# CPU rows: for every variant x dtype x method, bench/clinit-fill-one's
# single-thread rate (one core, the variant forced with --isa; median of
# REPS fills of NUMEL elements), ROUNDS times per build, alternating; the
# row is the median over rounds of each build and new/old of those.
# Instruction rows (IR=1, where valgrind is installed): the same fills
# counted instead of timed, deterministic: valgrind --tool=callgrind
# --toggle-collect=clinit_cpu_fill on one fill of IR_NUMEL elements per
# build, Ir per element (bench/callgrind.sh's count); valgrind has no
# AVX-512, so the avx512 variant is not counted.
# OpenCL rows: clinit-bench --path opencl --throughput at OCL_ELEMS
# elements per tensor (bytes = elements x dtype size), all methods of a
# dtype in one call, ROUNDS times per build alternating; median GB/s over
# rounds, new/old. A row either build rejects is "-".
#
# Environment (defaults): ISAS ("generic avx2", plus avx512 where the CPU
# has it), DTYPES ("f32 f16 bf16 f64"), METHODS ("uniform normal
# trunc_normal kaiming_uniform xavier_normal sparse constant eye"), NUMEL
# (1048576), REPS (7), ROUNDS (3), OCL_ELEMS (16777216), OCL_DEVICE
# (opencl: the first GPU, else the first OpenCL device), OCL (1; 0 skips
# the OpenCL rows), CPU (1; 0 skips the CPU rows), IR (1 where valgrind
# is installed; 0 skips the instruction rows), IR_NUMEL (65536).
# Output: "cpu ISA DTYPE METHOD OLD_Melem/s NEW_Melem/s NEW/OLD",
# "ir ISA DTYPE METHOD OLD_Ir/elem NEW_Ir/elem NEW/OLD" and
# "opencl - DTYPE METHOD OLD_GB/s NEW_GB/s NEW/OLD" lines under headers.
# Timing on a shared machine is noisy: compare ratios far from 1, or rerun.
# Exit status: 0 success, 1 a run failed, 2 bad arguments.
set -eu
if [ $# -ne 2 ]; then
    echo "usage: sh bench/compare.sh OLD_BUILD NEW_BUILD" >&2
    exit 2
fi
old=$1
new=$2
for d in "$old" "$new"; do
    for exe in clinit-fill-one clinit-bench; do
        if [ ! -x "$d/bench/$exe" ]; then
            echo "compare.sh: no $d/bench/$exe (cmake --build $d --target $exe)" >&2
            exit 2
        fi
    done
done
if [ -z "${ISAS:-}" ]; then
    ISAS="generic avx2"
    grep -q ' avx512f' /proc/cpuinfo 2>/dev/null && ISAS="$ISAS avx512"
fi
DTYPES=${DTYPES:-f32 f16 bf16 f64}
METHODS=${METHODS:-uniform normal trunc_normal kaiming_uniform xavier_normal sparse constant eye}
NUMEL=${NUMEL:-1048576}
REPS=${REPS:-7}
ROUNDS=${ROUNDS:-3}
OCL_ELEMS=${OCL_ELEMS:-16777216}
OCL_DEVICE=${OCL_DEVICE:-opencl}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# median of the numbers on stdin, "-" if none
median() {
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) print "-"
        else if (NR % 2) print v[(NR + 1) / 2]
        else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# "LABEL OLD NEW NEW/OLD" from two files of samples: medians x SCALE,
# printed with FORMAT
row() {
    a=$(median <"$1")
    b=$(median <"$2")
    awk -v a="$a" -v b="$b" -v s="$3" -v sc="$4" -v f="$5" 'BEGIN {
        r = (a == "-" || b == "-" || a == 0) ? "-" : sprintf("%.3f", b / a)
        printf "%s %12s %12s %8s\n", s,
            a == "-" ? "-" : sprintf(f, a * sc),
            b == "-" ? "-" : sprintf(f, b * sc), r }'
}

echo "# old: $old"
echo "# new: $new"
echo "# $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); same-run ratios, rounds interleaved old/new"
if [ "${CPU:-1}" != 0 ]; then
    echo "# cpu: clinit-fill-one, one thread, $NUMEL elements, median of $REPS fills, median of $ROUNDS rounds"
    printf '%-6s %-7s %-5s %-16s %12s %12s %8s\n' path variant dtype method \
        old_Melem/s new_Melem/s new/old
    for isa in $ISAS; do
        for dt in $DTYPES; do
            for m in $METHODS; do
                : >"$tmp/o"
                : >"$tmp/n"
                r=0
                while [ "$r" -lt "$ROUNDS" ]; do
                    for side in o n; do
                        if [ $side = o ]; then d=$old; else d=$new; fi
                        # a rejected method or dtype, or an ISA the CPU lacks,
                        # leaves no sample: the row shows "-"
                        "$d/bench/clinit-fill-one" "$m" "$NUMEL" --isa "$isa" \
                            --reps "$REPS" --dtype "$dt" 2>/dev/null |
                            awk '{ print $6 }' >>"$tmp/$side" || true
                    done
                    r=$((r + 1))
                done
                row "$tmp/o" "$tmp/n" "$(printf '%-6s %-7s %-5s %-16s' cpu "$isa" "$dt" "$m")" 1e-6 %.1f
            done
        done
    done
fi

IR=${IR:-1}
if [ "$IR" != 0 ] && ! command -v valgrind >/dev/null; then
    echo "# ir: skipped, valgrind is not installed"
    IR=0
fi
if [ "$IR" != 0 ]; then
    in=${IR_NUMEL:-65536}
    echo "# ir: instructions per element of clinit_cpu_fill (valgrind callgrind), one thread, $in elements; deterministic"
    printf '%-6s %-7s %-5s %-16s %12s %12s %8s\n' path variant dtype method \
        old_Ir/elem new_Ir/elem new/old
    for isa in $ISAS; do
        [ "$isa" = avx512 ] && continue # valgrind has no AVX-512
        for dt in $DTYPES; do
            for m in $METHODS; do
                for side in o n; do
                    if [ $side = o ]; then d=$old; else d=$new; fi
                    LD_BIND_NOW=1 valgrind --tool=callgrind \
                        --toggle-collect=clinit_cpu_fill \
                        --callgrind-out-file="$tmp/cg.out" \
                        "$d/bench/clinit-fill-one" "$m" "$in" --isa "$isa" \
                        --dtype "$dt" 2>&1 >/dev/null |
                        sed -n 's/.*Collected : \([0-9]*\).*/\1/p' |
                        awk -v n="$in" '$1 > 0 { print $1 / n }' >"$tmp/$side" || true
                done
                row "$tmp/o" "$tmp/n" "$(printf '%-6s %-7s %-5s %-16s' ir "$isa" "$dt" "$m")" 1 %.2f
            done
        done
    done
fi

if [ "${OCL:-1}" != 0 ]; then
    mlist=$(echo $METHODS | tr ' ' ',')
    echo "# opencl: clinit-bench --path opencl --device $OCL_DEVICE, $OCL_ELEMS elements per tensor, median of 5 calls, median of $ROUNDS rounds"
    printf '%-6s %-7s %-5s %-16s %12s %12s %8s\n' path - dtype method \
        old_GB/s new_GB/s new/old
    for dt in $DTYPES; do
        case $dt in
        f64) es=8 ;;
        f16 | bf16) es=2 ;;
        *) es=4 ;;
        esac
        bytes=$((OCL_ELEMS * es))
        : >"$tmp/ocl"
        r=0
        while [ "$r" -lt "$ROUNDS" ]; do
            for side in o n; do
                if [ $side = o ]; then d=$old; else d=$new; fi
                if ! "$d/bench/clinit-bench" --json --throughput --path opencl \
                    --device "$OCL_DEVICE" --size "$bytes" --method "$mlist" \
                    --dtype "$dt" --reps 5 >"$tmp/out" 2>"$tmp/err"; then
                    echo "compare.sh: $d/bench/clinit-bench failed:" >&2
                    cat "$tmp/err" >&2
                    exit 1
                fi
                sed -n 's/.*"method": "\([a-z_]*\)".*"gbps": \([0-9.e+-]*\).*/\1 \2/p' \
                    "$tmp/out" | awk -v s=$side '{ print s, $1, $2 }' >>"$tmp/ocl"
            done
            r=$((r + 1))
        done
        for m in $METHODS; do
            awk -v m="$m" '$1 == "o" && $2 == m { print $3 }' "$tmp/ocl" >"$tmp/o"
            awk -v m="$m" '$1 == "n" && $2 == m { print $3 }' "$tmp/ocl" >"$tmp/n"
            row "$tmp/o" "$tmp/n" "$(printf '%-6s %-7s %-5s %-16s' opencl - "$dt" "$m")" 1 %.3f
        done
    done
fi
