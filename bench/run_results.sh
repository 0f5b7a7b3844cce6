#!/bin/sh
# run_results.sh - the measurements docs/PERF.md quotes, into one folder.
#
#   sh bench/run_results.sh [BUILD_DIR] [OUT_DIR]
#
# BUILD_DIR (default build) must hold bench/clinit-bench and
# bench/clinit-fill-one; OUT_DIR defaults to bench/results. Writes:
#   machine.txt     CPU, memory, OpenCL device, core clock, load before each step
#   sweep.jsonl     clinit-bench --json (default sweep: 7 methods, f32, 1K..1G,
#                   all four paths, and the 1 KiB overhead rows)
#   dtypes.jsonl    uniform, normal, trunc_normal, sparse at 64 MiB in f32,
#                   f16, bf16, f8e4m3, f8e5m2, f64 (cpu and opencl), 3 rounds
#   single.jsonl    clinit-fill-one: single-thread AVX2 rate of every f32
#                   method at 65536 elements (256 KiB: in L2, so compute,
#                   not the cache's write rate), with the core clock:
#                   cycles per element; 3 rounds
#   overhead.jsonl  clinit-bench --overhead
#   startup.jsonl   clinit-bench --startup
#   model.jsonl     clinit-bench --json --model examples/gpt2_small.json
#   peers.jsonl     bench/peers.py (and peers.txt, its table)
#   callgrind.txt   bench/callgrind.sh: f32 uniform normal kaiming_uniform
#                   xavier_normal trunc_normal sparse, then f16 and bf16
#                   uniform normal
# Takes about 5 minutes on 2 cores. Run it on an idle machine.
set -eu
build=${1:-build}
out=${2:-bench/results}
bench=$build/bench/clinit-bench
here=$(dirname "$0")
mkdir -p "$out"
step() {
    echo "== $1: $(date -u +%H:%M:%S) $(cut -d' ' -f1-3 /proc/loadavg)" |
        tee -a "$out/machine.txt" >&2
}
{
    echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), clinit $(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo '?') (+ working tree)"
    lscpu | grep -E '^(Model name|CPU\(s\)|Thread|Core|L2|L3|Flags)' |
        sed 's/^\(Flags: *\).*/\1(avx512f: '"$(grep -c avx512f /proc/cpuinfo)"' cpus)/'
    grep MemTotal /proc/meminfo
    clinfo -l 2>/dev/null || true
    clinfo 2>/dev/null | grep -E 'Platform Version|Driver Version|Max memory allocation' | sort -u || true
    echo "core clock (GHz, dependent adds, 3 runs): $("$build/bench/clinit-fill-one" --clock) $("$build/bench/clinit-fill-one" --clock) $("$build/bench/clinit-fill-one" --clock)"
    echo "load at each step (1, 5, 15 min):"
} >"$out/machine.txt"
step sweep
"$bench" --json >"$out/sweep.jsonl"
# 1 GiB with the copy path is over clinit-bench's memory cap (3 buffers)
"$bench" --json --size 1G --path opencl,cpu,memset,stream,fillbuffer \
    >>"$out/sweep.jsonl"
# dtypes and single: 3 rounds each (this machine's neighbours come and
# go); summarize.py takes each row's best round
step dtypes
for round in 1 2 3; do
    "$bench" --json --throughput --size 64M --path cpu,opencl \
        --method uniform,normal,trunc_normal,sparse \
        --dtype f32,f16,bf16,f8e4m3,f8e5m2,f64
done >"$out/dtypes.jsonl"
step single
clock=$("$build/bench/clinit-fill-one" --clock | cut -d' ' -f2)
for round in 1 2 3; do
    for m in uniform normal kaiming_uniform xavier_normal trunc_normal sparse; do
        "$build/bench/clinit-fill-one" "$m" 65536 --isa avx2 --reps 301 |
            awk -v ghz="$clock" '{ printf "{\"path\": \"cpu-1thread\", \"method\": \"%s\", \"dtype\": \"%s\", \"isa\": \"%s\", \"gelems\": %.4f, \"ghz\": %s, \"cycles\": %.3f}\n", $1, $2, $3, $6 / 1e9, ghz, ghz * 1e9 / $6 }'
    done
done >"$out/single.jsonl"
step overhead
"$bench" --json --overhead >"$out/overhead.jsonl"
step startup
"$bench" --json --startup >"$out/startup.jsonl"
step model
"$bench" --json --model "$here/../examples/gpt2_small.json" >"$out/model.jsonl"
step peers
/usr/bin/python3 "$here/peers.py" "$bench" --sizes 64K,1M,16M,64M,256M,1G \
    --json-out "$out/peers.jsonl" >"$out/peers.txt"
step callgrind
{
    sh "$here/callgrind.sh" "$build" uniform normal kaiming_uniform \
        xavier_normal trunc_normal sparse
    DTYPE=f16 sh "$here/callgrind.sh" "$build" uniform normal
    DTYPE=bf16 sh "$here/callgrind.sh" "$build" uniform normal
} >"$out/callgrind.txt"
step done
