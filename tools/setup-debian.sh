#!/bin/sh
# Installs what clinit needs to build, test and run on Debian 12, and
# nothing when it is all there already. Runs apt-get as root (or via sudo).
set -eu
PKGS="build-essential cmake pkg-config ocl-icd-opencl-dev opencl-headers
      ocl-icd-libopencl1 pocl-opencl-icd clinfo libcriterion-dev
      librandom123-dev libcjson-dev python3-numpy python3-scipy python3-torch
      clang valgrind binutils mesa-opencl-icd libcairo2-dev fonts-dejavu-core
      openmpi-bin libopenmpi-dev"
# Node.js with npm runs the llama.cpp test (ctest llama_cpp); an npm that is
# already there (e.g. from nodesource or nvm) is kept, not replaced.
command -v npm >/dev/null 2>&1 || PKGS="$PKGS nodejs npm"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup: installing$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
