#!/bin/sh
# The packaging test (ctest `package`): installs the already built tree
# into a temporary prefix, and once more with DESTDIR staging and then
# moved elsewhere, checks that everything a consumer needs is there, and
# builds and runs the consumers of tests/package/ out of tree against
# each prefix: C and C++, shared and static, through pkg-config and
# through find_package(clinit CONFIG). Any failing step fails the test.
#   package.sh SRC BUILD LIBDIR VERSION CMAKE PKG_CONFIG CC CXX [SANITIZE]
set -eu
src=$1 build=$2 libdir=$3 version=$4 cmake=$5 pkgconfig=$6 cc=$7 cxx=$8
san=${9:-}
here=$src/tests/package
tmp=$(mktemp -d "${TMPDIR:-/tmp}/clinit-package.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
flags="-Wall -Wextra -pedantic -Werror"
sanflags=""
[ -n "$san" ] && sanflags="-fsanitize=$san"
outer_pcp=${PKG_CONFIG_PATH:-}

fail() { echo "package: FAILED: $*" >&2; exit 1; }
step() { echo "package: $*"; }

# Everything a consumer needs, in `prefix`.
check_files() {
    for f in include/clinit.h include/clinit_model.h include/clinit_version.h \
             "$libdir/libclinit.so" "$libdir/libclinit.a" \
             "$libdir/pkgconfig/clinit.pc" "$libdir/pkgconfig/clinit-static.pc" \
             "$libdir/cmake/clinit/clinitConfig.cmake" \
             "$libdir/cmake/clinit/clinitConfigVersion.cmake" \
             "$libdir/cmake/clinit/clinitTargets.cmake" bin/clinit; do
        [ -e "$1/$f" ] || fail "$1: $f not installed"
    done
    "$1/bin/clinit" --version | grep -q "^clinit $version " ||
        fail "$1/bin/clinit --version"
}

# exe: runs, and links libclinit.so only when `kind` is shared.
run_consumer() {
    exe=$1 kind=$2
    shift 2
    "$exe" "$@" || fail "$exe $*"
    if readelf -d "$exe" | grep -q 'NEEDED.*libclinit\.so'; then
        [ "$kind" = shared ] || fail "$exe: a static consumer needs libclinit.so"
    else
        [ "$kind" = static ] || fail "$exe: a shared consumer without libclinit.so"
    fi
}

# pc_build EXE SOURCE COMPILER [FLAGS...]: one consumer, with the flags of
# pkg-config module $pc ($cf, $lf) at $prefix.
pc_build() {
    exe=$1 source=$2
    shift 2
    # shellcheck disable=SC2086 # $flags $sanflags $cf $lf are word lists
    "$@" $flags $sanflags -I"$here" -I"$src/tests" $cf "$source" -x none \
        -o "$exe" $lf "-Wl,-rpath,$prefix/$libdir" || fail "$* $source with $pc"
}

# The consumers through pkg-config (clinit.pc, clinit-static.pc).
with_pkgconfig() {
    prefix=$1 out=$2
    mkdir -p "$out"
    PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig${outer_pcp:+:$outer_pcp}
    export PKG_CONFIG_PATH
    got=$("$pkgconfig" --modversion clinit) || fail "pkg-config clinit"
    [ "$got" = "$version" ] || fail "pkg-config --modversion clinit: $got"
    "$pkgconfig" --static --libs clinit | grep -q -- '-lOpenCL' ||
        fail "pkg-config --static --libs clinit lacks -lOpenCL"
    "$pkgconfig" --static --libs clinit | grep -q -- '-lcjson' ||
        fail "pkg-config --static --libs clinit lacks -lcjson"
    for pc in clinit clinit-static; do
        kind=shared
        [ "$pc" = clinit-static ] && kind=static
        cf=$("$pkgconfig" --cflags "$pc") || fail "pkg-config --cflags $pc"
        lf=$("$pkgconfig" --libs "$pc") || fail "pkg-config --libs $pc"
        pc_build "$out/c_$kind" "$here/consumer.c" "$cc" -std=c99
        pc_build "$out/cxx_$kind" "$here/consumer.cpp" "$cxx" -std=c++11
        pc_build "$out/cl120_c_$kind" "$here/consumer_cl120.c" "$cc" -std=c99
        pc_build "$out/cl120_cxx_$kind" "$here/consumer_cl120.c" "$cxx" -x c++ -std=c++11
        run_consumer "$out/c_$kind" "$kind" "$version"
        run_consumer "$out/cxx_$kind" "$kind" "$version"
        run_consumer "$out/cl120_c_$kind" "$kind"
        run_consumer "$out/cl120_cxx_$kind" "$kind"
    done
    PKG_CONFIG_PATH=$outer_pcp
}

# The consumers through find_package(clinit CONFIG) (tests/package/CMakeLists.txt).
with_cmake() {
    prefix=$1 out=$2
    shift 2
    "$cmake" -S "$here" -B "$out" -DCMAKE_PREFIX_PATH="$prefix" "$@" \
        -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
        -DCMAKE_C_FLAGS="$sanflags" -DCMAKE_CXX_FLAGS="$sanflags" \
        -DCLINIT_VERSION="$version" -DCLINIT_TESTS_DIR="$src/tests" \
        >"$out.log" 2>&1 || { cat "$out.log"; fail "cmake configure against $prefix"; }
    want=$(cd "$prefix/$libdir/cmake/clinit" && pwd -P)
    got=$(cd "$(cat "$out/clinit_dir.txt")" && pwd -P)
    [ "$got" = "$want" ] || fail "find_package(clinit) found $got, not $want"
    "$cmake" --build "$out" -j2 >>"$out.log" 2>&1 ||
        { cat "$out.log"; fail "cmake build against $prefix"; }
    for kind in shared static; do
        run_consumer "$out/consumer_c_$kind" "$kind" "$version"
        run_consumer "$out/consumer_cxx_$kind" "$kind" "$version"
        run_consumer "$out/consumer_cl120_c_$kind" "$kind"
        run_consumer "$out/consumer_cl120_cxx_$kind" "$kind"
    done
}

step "cmake --install into a prefix"
"$cmake" --install "$build" --prefix "$tmp/direct" >/dev/null || fail "cmake --install"
check_files "$tmp/direct"

step "cmake --install with DESTDIR staging, then moved"
staged=/opt/clinit-package-staged
DESTDIR=$tmp/stage "$cmake" --install "$build" --prefix "$staged" >/dev/null ||
    fail "DESTDIR=... cmake --install"
mkdir -p "$tmp/moved/to/another"
mv "$tmp/stage$staged" "$tmp/moved/to/another/place"
moved=$tmp/moved/to/another/place
check_files "$moved"
if grep -rl "$staged" "$moved"; then
    fail "installed files name the prefix they were installed for"
fi

step "direct prefix: pkg-config consumers"
with_pkgconfig "$tmp/direct" "$tmp/pc-direct"
# Without cJSON's CMake package, libclinit.a's `cjson` stays -lcjson.
step "direct prefix: find_package consumers, cJSON's CMake package disabled"
with_cmake "$tmp/direct" "$tmp/cmake-direct" -DCMAKE_DISABLE_FIND_PACKAGE_cJSON=ON
step "moved prefix: pkg-config consumers"
with_pkgconfig "$moved" "$tmp/pc-moved"
step "moved prefix: find_package consumers"
with_cmake "$moved" "$tmp/cmake-moved"
step "ok: 2 prefixes x (pkg-config, find_package) x (C, C++, C/C++ at OpenCL 1.2) x (shared, static)"
