#!/bin/sh
# tools/gpu-check.sh - one prepared check of clinit on a machine with an
# NVIDIA GPU and NVIDIA's OpenCL (docs/GPU.md).
#
#   sh tools/gpu-check.sh --prepare     here (Debian 12, network): downloads
#                                       the .deb files the build needs into
#                                       .gpu-debs/ (git-ignored)
#   sh tools/gpu-check.sh [--no-build] [--build-dir DIR]
#                                       there: unpacks .gpu-debs/ into a
#                                       private prefix (no root apt), builds
#                                       Release, and runs the steps
#   SMALL=1 sh tools/gpu-check.sh ...   the same steps at small sizes on the
#                                       default OpenCL device (pocl here);
#                                       the PTX count only where the device's
#                                       program binary is PTX
#   FORCE_PREFIX=1                      use .gpu-debs/ even where pkg-config
#                                       finds cJSON and Criterion (to try that
#                                       path on a full Debian machine)
#   CLINIT_DEVICE=opencl:P.D            the device (default: the first one)
#
# Steps: (a) the GPU-shaped program's device binary (CL_PROGRAM_BINARIES,
# tools/gpu/program_dump.c); on NVIDIA that is PTX, whose plain (not .rn,
# not fma) f32/f64 mul/add/sub are counted per kernel and must be 0
# (tools/gpu/ptx_ops.py); (b) the equality ctests on the device; (c) fills
# of more than 2^30 elements and 4 GiB compared bit for bit with the CPU
# path, piece by piece (tools/gpu/big_fill.c); (d) clinit-bench uniform,
# normal, trunc_normal in f32 and bf16 at 1 GiB next to clEnqueueFillBuffer
# and a device-to-device copy, with the % of the copy's bandwidth.
# Everything goes into $OUT (else ./gpu-check-out/): summary.txt and the
# logs. Exit status 0 when every step passed, 1 when one failed (a bit
# difference included), 2 for a wrong command line.
set -u

REPO=$(cd "$(dirname "$0")/.." && pwd)
DEBS="$REPO/.gpu-debs"
# The build's Debian packages that a CUDA image lacks: cJSON, Criterion
# and what libcriterion3 links (libgit2 and its TLS/SSH libraries,
# nanomsg, libffi), Random123, the OpenCL headers and an ICD loader (used
# only when the image has no libOpenCL), and pkgconf. The -dev packages
# bring the .pc files pkg-config walks (Requires.private included).
DEB_LIST="libcjson1 libcjson-dev libcriterion3 libcriterion-dev libboxfort-dev
  libffi8 libffi-dev libgit2-1.5 libgit2-dev libnanomsg5 libnanomsg-dev
  libhttp-parser2.9 libhttp-parser-dev libmbedcrypto7 libmbedtls14
  libmbedx509-1 libmbedtls-dev libssh2-1 libssh2-1-dev libssl-dev
  libpcre2-8-0 libpcre2-dev zlib1g-dev librandom123-dev opencl-c-headers
  opencl-clhpp-headers ocl-icd-libopencl1 ocl-icd-opencl-dev pkgconf
  pkgconf-bin libpkgconf3"

die() { echo "gpu-check: $*" >&2; exit 2; }

prepare() {
    command -v apt-get >/dev/null || die "--prepare needs apt-get (Debian 12)"
    mkdir -p "$DEBS" || exit 1
    rm -f "$DEBS"/*.deb
    # shellcheck disable=SC2086
    (cd "$DEBS" && apt-get download $DEB_LIST) || {
        echo "gpu-check: apt-get download failed (run apt-get update?)" >&2
        exit 1
    }
    n=$(ls "$DEBS"/*.deb | wc -l)
    kib=$(du -sk "$DEBS" | cut -f1)
    echo "gpu-check: $n .deb files, $kib KiB in $DEBS"
    exit 0
}

NO_BUILD=0
BUILD=""
while [ $# -gt 0 ]; do
    case "$1" in
    --prepare) prepare ;;
    --no-build) NO_BUILD=1 ;;
    --build-dir)
        [ $# -ge 2 ] || die "--build-dir needs a directory"
        BUILD=$2
        shift
        ;;
    --help | -h)
        sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *) die "unknown argument '$1' (see --help)" ;;
    esac
    shift
done

SMALL=${SMALL:-0}
OUTDIR=${OUT:-$PWD/gpu-check-out}
mkdir -p "$OUTDIR" || die "cannot create $OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
SUM="$OUTDIR/summary.txt"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/clinit-gpu-check.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM HUP
[ -n "$BUILD" ] || BUILD="$REPO/build-gpu"
FAILED=0
ORIG_LD=${LD_LIBRARY_PATH:-}
: >"$SUM"

say() { echo "$*" | tee -a "$SUM"; }
step_result() { # name status detail
    if [ "$2" -eq 0 ]; then say "PASS $1: $3"; else say "FAIL $1: $3"; FAILED=1; fi
}
# Python (stdlib only) without the private prefix's libraries.
py() { env LD_LIBRARY_PATH="$ORIG_LD" python3 "$@"; }

say "clinit gpu-check $(date -u '+%Y-%m-%d %H:%M UTC'), SMALL=$SMALL, $(uname -m)"
say "repo commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')"

# ---- the private prefix ---------------------------------------------------
# Unpacks .gpu-debs/*.deb (dpkg -x) into $BUILD/deb-prefix, once per
# build folder (the build's binaries load its libraries, so it lives as
# long as the build; --no-build finds it there). Libraries the system
# already has (by soname, ldconfig -p) are dropped from it, so the image's
# own libffi, zlib, pcre2 stay the ones every process loads.
unpack_prefix() {
    rm -rf "$P"
    mkdir -p "$P" || return 1
    for d in "$DEBS"/*.deb; do
        dpkg -x "$d" "$P" || { echo "gpu-check: dpkg -x $d failed" >&2; return 1; }
    done
    ldconfig -p 2>/dev/null | awk '$NF ~ /^\// {print $1, $NF}' >"$WORK/have"
    for f in "$LIBD"/lib*.so.*; do
        [ -e "$f" ] || [ -L "$f" ] || continue
        b=$(basename "$f")
        if awk -v n="$b" '$1 == n {f = 1} END {exit !f}' "$WORK/have"; then rm -f "$f"; fi
    done
    # a -dev link left dangling links to the system's copy instead
    for l in "$LIBD"/lib*.so; do
        [ -L "$l" ] && [ ! -e "$l" ] || continue
        sys=$(awk -v n="$(basename "$l")." 'index($1, n) == 1 {print $2; exit}' "$WORK/have")
        rm -f "$l"
        [ -n "$sys" ] && ln -s "$sys" "$l"
    done
    for pc in "$LIBD"/pkgconfig/*.pc "$P"/usr/share/pkgconfig/*.pc; do
        [ -f "$pc" ] && sed -i "s|^\([a-z_]*\)=\(\"\{0,1\}\)/usr\([/\"]\)|\1=\2$P/usr\3|; s|^\([a-z_]*\)=\(\"\{0,1\}\)/usr\$|\1=\2$P/usr|" "$pc"
    done
    ls "$DEBS"/*.deb | sed 's|.*/||' >"$P/unpacked"
    say "prefix: $(wc -l <"$P/unpacked") .deb files unpacked into $P ($(du -sk "$DEBS" | cut -f1) KiB of .deb)"
}

# Points CMake, pkg-config, the linker and the loader at the prefix.
use_prefix() {
    export PKG_CONFIG_PATH="$LIBD/pkgconfig:$P/usr/share/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
    export CMAKE_PREFIX_PATH="$P/usr${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}"
    export LD_LIBRARY_PATH="$LIBD${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    export LIBRARY_PATH="$LIBD${LIBRARY_PATH:+:$LIBRARY_PATH}"
    if ! command -v pkg-config >/dev/null 2>&1; then
        mkdir -p "$WORK/bin"
        ln -s "$P/usr/bin/pkgconf" "$WORK/bin/pkg-config"
        export PATH="$WORK/bin:$PATH"
    fi
}

# The NVIDIA ICD: /etc/OpenCL/vendors/nvidia.icd naming libnvidia-opencl.so.1
# (with its path where the loader's search path lacks it); a private
# vendors folder (OCL_ICD_VENDORS) when /etc is not writable.
register_icd() {
    [ -e /etc/OpenCL/vendors/nvidia.icd ] && return 0
    lib=libnvidia-opencl.so.1
    if ! ldconfig -p 2>/dev/null | grep -q "$lib"; then
        lib=""
        for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu \
                 /usr/lib64 /usr/local/cuda/compat; do
            [ -e "$d/libnvidia-opencl.so.1" ] && { lib="$d/libnvidia-opencl.so.1"; break; }
        done
    fi
    if [ -z "$lib" ]; then
        say "icd: no libnvidia-opencl.so.1 found; OpenCL platforms are whatever is registered"
        return 0
    fi
    if mkdir -p /etc/OpenCL/vendors 2>/dev/null && echo "$lib" >/etc/OpenCL/vendors/nvidia.icd 2>/dev/null; then
        say "icd: wrote /etc/OpenCL/vendors/nvidia.icd ($lib)"
    else
        mkdir -p "$WORK/icd" && echo "$lib" >"$WORK/icd/nvidia.icd"
        export OCL_ICD_VENDORS="$WORK/icd"
        say "icd: OCL_ICD_VENDORS=$WORK/icd ($lib)"
    fi
}

# The OpenCL library to link: the image's loader (CUDA's libOpenCL is the
# ICD loader), else the carried ocl-icd one.
opencl_library() {
    for f in /usr/local/cuda/lib64/libOpenCL.so /usr/local/cuda/lib64/libOpenCL.so.1 \
             /usr/lib/x86_64-linux-gnu/libOpenCL.so /usr/lib/x86_64-linux-gnu/libOpenCL.so.1 \
             "${LIBD:-/nonexistent}/libOpenCL.so.1"; do
        [ -e "$f" ] && { echo "$f"; return 0; }
    done
    return 1
}

P="$BUILD/deb-prefix"
LIBD="$P/usr/lib/x86_64-linux-gnu"
TARGETS="test_equality test_dtypes test_stream test_batch test_methods clinit-bench
  clinit-program-dump clinit-big-fill"
if [ "$NO_BUILD" -eq 0 ]; then
    if [ "${FORCE_PREFIX:-0}" = 1 ] || ! pkg-config --exists libcjson criterion 2>/dev/null; then
        ls "$DEBS"/*.deb >/dev/null 2>&1 ||
            die "libcjson/criterion not found and no $DEBS/*.deb: run 'sh tools/gpu-check.sh --prepare' where apt-get works"
        if [ ! -f "$P/unpacked" ] || ! ls "$DEBS"/*.deb | sed 's|.*/||' | cmp -s - "$P/unpacked"; then
            unpack_prefix || { step_result prefix 1 "unpacking $DEBS failed"; exit 1; }
        fi
        use_prefix
        USING_PREFIX=1
    fi
    register_icd
    CLI=ON
    pkg-config --exists cairo cairo-png cairo-svg 2>/dev/null || CLI=OFF
    OCL_LIB=$(opencl_library) || OCL_LIB=""
    set -- -S "$REPO" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCLINIT_BUILD_CLI=$CLI
    [ -n "$OCL_LIB" ] && set -- "$@" "-DOpenCL_LIBRARY=$OCL_LIB"
    [ "${USING_PREFIX:-0}" = 1 ] && set -- "$@" "-DOpenCL_INCLUDE_DIR=$P/usr/include"
    say "build: $BUILD (CLI $CLI, OpenCL library ${OCL_LIB:-CMake's choice})"
    jobs=$(nproc 2>/dev/null || echo 2)
    # shellcheck disable=SC2086
    if cmake "$@" >"$OUTDIR/build.log" 2>&1 &&
       cmake --build "$BUILD" -j"$jobs" --target $TARGETS >>"$OUTDIR/build.log" 2>&1; then
        step_result build 0 "Release, $(echo $TARGETS | wc -w) targets"
    else
        tail -30 "$OUTDIR/build.log"
        step_result build 1 "see build.log"
        exit 1
    fi
else
    [ -f "$P/unpacked" ] && use_prefix && say "prefix: $P (from the build)"
    register_icd
    for t in tools/gpu/clinit-program-dump tools/gpu/clinit-big-fill bench/clinit-bench \
             tests/test_equality tests/test_dtypes tests/test_stream tests/test_batch \
             tests/test_methods; do
        [ -x "$BUILD/$t" ] || die "--no-build: $BUILD lacks $t (build it, or pass --build-dir)"
    done
fi

# Every OpenCL step: the GPU-shaped kernels (what the library picks for
# GPUs; forced, so pocl runs them too), a private binary cache.
export CLINIT_KERNEL_SHAPE=gpu
export CLINIT_CACHE_DIR="$WORK/cache"
DEV=${CLINIT_DEVICE:-opencl}
export CLINIT_DEVICE="$DEV"
DUMP="$BUILD/tools/gpu/clinit-program-dump"
BIG="$BUILD/tools/gpu/clinit-big-fill"
BENCH="$BUILD/bench/clinit-bench"

# ---- (a) the program binary and its PTX -----------------------------------
BIN="$OUTDIR/program-gpu.ptx"
if line=$("$DUMP" --device "$DEV" --shape gpu --log "$WORK/build-log.txt" "$BIN" 2>&1); then
    say "device: $line"
    if head -c 4096 "$BIN" | grep -q '^\.version'; then
        py "$REPO/tools/gpu/ptx_ops.py" "$BIN" --require-zero-plain >"$WORK/ptx.txt" 2>&1
        rc=$?
        cat "$WORK/ptx.txt" >>"$SUM"
        step_result ptx $rc "$(tail -1 "$WORK/ptx.txt")"
    elif [ "$SMALL" = 1 ]; then
        rm -f "$BIN"
        say "SKIP ptx: the device's program binary is not PTX (not NVIDIA's OpenCL)"
    else
        step_result ptx 1 "the program binary is not PTX: is the device NVIDIA's? ($line)"
    fi
else
    step_result ptx 1 "clinit-program-dump failed: $line"
    [ -f "$WORK/build-log.txt" ] && tail -20 "$WORK/build-log.txt" >>"$SUM"
fi

# ---- (b) the equality tests on the device ---------------------------------
# tests/common.c asserts the GPU-shaped kernels run and, off SMALL, that
# the platform is NVIDIA's (CLINIT_TEST_PLATFORM).
if [ "$SMALL" = 1 ]; then unset CLINIT_TEST_PLATFORM; else export CLINIT_TEST_PLATFORM=NVIDIA; fi
ctest --test-dir "$BUILD" -R '^(equality|dtypes|stream|batch|methods)$' --output-on-failure \
    >"$OUTDIR/ctest.log" 2>&1
rc=$?
n=$(grep -c 'Test *#' "$OUTDIR/ctest.log")
[ "$n" -eq 5 ] || rc=1
step_result equality $rc "$(grep 'tests passed' "$OUTDIR/ctest.log" || echo "$n of 5 tests ran, see ctest.log")"
unset CLINIT_TEST_PLATFORM

# ---- (c) large fills against the CPU path ---------------------------------
# > 2^30 elements and > 4 GiB in one clinit_enqueue_fill (several launches
# inside), a bf16 fill past element 2^31, and a range around element 2^32
# of a 2^33-element tensor. SMALL: the same shapes, 2^22-ish.
if [ "$SMALL" = 1 ]; then
    CASES="normal:f32:4194321:0:0:4 uniform:bf16:8388613:0:0:4 trunc_normal:f16:8589934592:4294901760:4295032832:1"
else
    CASES="normal:f32:1076887569:0:0:256 uniform:bf16:2148532229:0:0:256 trunc_normal:f16:8589934592:4290772992:4299161600:256"
fi
: >"$OUTDIR/bigfill.log"
for c in $CASES; do
    IFS=: read -r m t n lo hi mib <<EOF
$c
EOF
    set -- --device "$DEV" --method "$m" --dtype "$t" --numel "$n" --chunk-mib "$mib"
    [ "$hi" != 0 ] && set -- "$@" --lo "$lo" --hi "$hi"
    "$BIG" "$@" >"$WORK/big.txt" 2>&1
    rc=$?
    cat "$WORK/big.txt" >>"$OUTDIR/bigfill.log"
    step_result bigfill $rc "$(tail -1 "$WORK/big.txt" | sed 's/^[^:]*: //')"
done

# ---- (d) throughput next to fillbuffer and copy ---------------------------
if [ "$SMALL" = 1 ]; then SIZE=16M; else SIZE=1G; fi
"$BENCH" --throughput --size "$SIZE" --method uniform,normal,trunc_normal --dtype f32,bf16 \
    --path opencl,fillbuffer,copy --device "$DEV" --json >"$OUTDIR/bench.jsonl" 2>"$WORK/bench.err"
rc=$?
[ -s "$WORK/bench.err" ] && cat "$WORK/bench.err" >>"$SUM"
if [ $rc -eq 0 ]; then
    py - "$OUTDIR/bench.jsonl" >"$WORK/bench.txt" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
lim = {r["path"]: r["gbps"] for r in rows if r["path"] in ("copy", "fillbuffer")}
fills = [r for r in rows if r["path"] == "opencl"]
print("%-14s %-5s %10s %9s %9s" % ("method", "dtype", "GB/s", "%copy", "%fillbuf"))
for p in ("copy", "fillbuffer"):
    print("%-14s %-5s %10.1f" % (p, "u8", lim.get(p, float("nan"))))
for r in fills:
    pc = 100 * r["gbps"] / lim["copy"] if lim.get("copy") else float("nan")
    pf = 100 * r["gbps"] / lim["fillbuffer"] if lim.get("fillbuffer") else float("nan")
    print("%-14s %-5s %10.1f %8.1f%% %8.1f%%" % (r["method"], r["dtype"], r["gbps"], pc, pf))
sys.exit(0 if fills and "copy" in lim and len(fills) == 6 else 1)
EOF
    rc=$?
fi
[ -f "$WORK/bench.txt" ] && cat "$WORK/bench.txt" >>"$SUM"
step_result bench $rc "clinit-bench --size $SIZE, GB/s of bytes written; copy = clEnqueueCopyBuffer"
grep -q 'differs from the cpu path' "$WORK/bench.err" 2>/dev/null &&
    step_result bench-check 1 "clinit-bench saw a result differ from the CPU path"

if [ $FAILED -eq 0 ]; then say "gpu-check: all steps passed"; else say "gpu-check: FAILED"; fi
echo "gpu-check: summary in $SUM"
exit $FAILED
