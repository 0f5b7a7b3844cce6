#!/bin/sh
# callgrind.sh - instructions per element of the CPU path, counted by
# valgrind (no hardware counters needed), next to the single-core element
# rate of the same code measured natively (docs/PERF.md).
#
#   sh bench/callgrind.sh [BUILD_DIR] [METHOD ...]
#
# BUILD_DIR (default build) holds bench/clinit-fill-one. Methods default
# to uniform normal trunc_normal. For each method: valgrind
# --tool=callgrind --toggle-collect=clinit_cpu_fill on one single-threaded
# fill of NUMEL f32 elements (instructions of the fill loop only, no
# setup), then the same fill timed natively (median of REPS, one core)
# with the same instruction-set variant. Valgrind emulates no AVX-512, so
# the library picks its AVX2 variant under valgrind: the count and the
# timed rate are both of the AVX2 variant (--isa avx2), and the AVX-512
# variant's rate is printed next to them (its count cannot be taken this
# way). Columns: method, Ir/element (AVX2) and its split by register class
# (bench/cg_mix.py: ymm = 256-bit vector work, xmm = scalar floating point,
# gpr = integer registers and branches), AVX2 Melem/s on one core,
# instructions retired per ns on that core (= Ir/element x elem/s / 1e9),
# AVX-512 Melem/s on one core, AVX-512 / AVX2 speedup.
# Environment: NUMEL (default 1048576), REPS (default 31), DTYPE (default
# f32; f16 and bf16 count the rounding pass too).
set -eu
build=${1:-build}
[ $# -gt 0 ] && shift
methods=${*:-uniform normal trunc_normal}
numel=${NUMEL:-1048576}
reps=${REPS:-31}
dtype=${DTYPE:-f32}
exe=$build/bench/clinit-fill-one
if [ ! -x "$exe" ]; then
    echo "callgrind.sh: no $exe (cmake --build $build --target clinit-fill-one)" >&2
    exit 2
fi
command -v valgrind >/dev/null || { echo "callgrind.sh: no valgrind" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "# $dtype, $numel elements, one thread; Ir of clinit_cpu_fill (AVX2 variant)"
printf '%-14s %8s %6s %6s %6s %12s %10s %14s %9s\n' method Ir/elem ymm xmm gpr \
    avx2_Melem/s avx2_Ir/ns avx512_Melem/s 512/avx2
for m in $methods; do
    valgrind --tool=callgrind --toggle-collect=clinit_cpu_fill \
        --dump-instr=yes --compress-pos=no --compress-strings=no \
        --callgrind-out-file="$tmp/cg.out" "$exe" "$m" "$numel" --isa avx2 \
        --dtype "$dtype" 2>"$tmp/vg.log" || { cat "$tmp/vg.log" >&2; exit 1; }
    ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$tmp/vg.log")
    mix=$(/usr/bin/python3 "$(dirname "$0")/cg_mix.py" "$exe" "$tmp/cg.out" "$numel")
    r2=$("$exe" "$m" "$numel" --isa avx2 --reps "$reps" --dtype "$dtype" | awk '{print $6}')
    r5=0 # AVX-512 is timed only where the CPU has it
    if grep -qw avx512f /proc/cpuinfo; then
        r5=$("$exe" "$m" "$numel" --isa avx512 --reps "$reps" \
            --dtype "$dtype" 2>/dev/null | awk '{print $6}') || r5=0
    fi
    echo "$mix" | awk -v m="$m" -v ir="$ir" -v n="$numel" -v r2="$r2" \
        -v r5="${r5:-0}" '{
        ipe = ir / n
        printf "%-14s %8.2f %6.2f %6.2f %6.2f %12.1f %10.2f %14.1f %9.2f\n", m,
            ipe, $2, $3, $4, r2 / 1e6, ipe * r2 / 1e9, r5 / 1e6,
            (r5 > 0 ? r5 / r2 : 0) }'
done
