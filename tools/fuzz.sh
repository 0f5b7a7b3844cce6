#!/bin/sh
# Builds the libFuzzer harnesses (tests/fuzz/) with clang under ASan +
# UBSan in build-fuzz/, and runs each for SECONDS (default 30) from the
# committed corpus. New inputs go to build-fuzz/corpus-*, not into the
# tree; a crash, leak or sanitizer report fails the run, and its input is
# left as build-fuzz/crash-* (add it to tests/fuzz/corpus/ with the fix).
#   sh tools/fuzz.sh [SECONDS]
# Fails, never skips, when clang is missing (tools/setup-debian.sh
# installs it).
set -eu
cd "$(dirname "$0")/.."
secs="${1:-30}"
sh tools/setup-debian.sh
if ! command -v clang >/dev/null 2>&1; then
    echo "fuzz: clang is required (apt-get install clang)" >&2
    exit 1
fi
dir=build-fuzz
CC=clang CXX=clang++ cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCLINIT_SANITIZE=address,undefined,fuzzer-no-link \
    -DCLINIT_BUILD_TESTS=OFF -DCLINIT_BUILD_BENCH=OFF \
    -DCLINIT_BUILD_FUZZERS=ON >/dev/null
cmake --build "$dir" -j"$(nproc)" --target fuzz_spec fuzz_args
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
for h in spec args; do
    mkdir -p "$dir/corpus-$h"
    echo "fuzz: $h for $secs s"
    # -close_fd_mask=2: the harnesses' error lines on stderr are expected
    "$dir/tests/fuzz/fuzz_$h" -max_total_time="$secs" -max_len=8192 \
        -timeout=10 -rss_limit_mb=2048 -close_fd_mask=2 \
        -artifact_prefix="$dir/" -print_final_stats=1 \
        "$dir/corpus-$h" "tests/fuzz/corpus/$h"
done
