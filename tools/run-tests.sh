#!/bin/sh
# Sets up (tools/setup-debian.sh), builds and runs the whole test suite.
#   sh tools/run-tests.sh            # Release build in build/
#   CLINIT_SANITIZE=address,undefined sh tools/run-tests.sh
#                                    # the same under ASan + UBSan, in build-san/
# A run without an OpenCL device fails (tests/common.c), it never skips.
set -eu
cd "$(dirname "$0")/.."
sh tools/setup-debian.sh
if [ -n "${CLINIT_SANITIZE:-}" ]; then
    dir=build-san
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCLINIT_SANITIZE="$CLINIT_SANITIZE" -DCLINIT_BUILD_BENCH=OFF >/dev/null
    # pocl and LLVM keep compiler state alive until exit; see .ci/lsan.supp.
    # Only pocl's ICD: Mesa's (mesa-opencl-icd, the second implementation
    # of the normal run) leaks at platform enumeration from frames that
    # LSan's fast unwinder cannot name, so no suppression can match them.
    mkdir -p "$dir/icd-pocl"
    cp /etc/OpenCL/vendors/pocl.icd "$dir/icd-pocl/"
    export OCL_ICD_VENDORS="$(pwd)/$dir/icd-pocl"
    export LSAN_OPTIONS="suppressions=$(pwd)/.ci/lsan.supp:print_suppressions=0"
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
else
    dir=build
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$dir" -j"$(nproc)"
ctest --test-dir "$dir" --output-on-failure -j"$(nproc)"
