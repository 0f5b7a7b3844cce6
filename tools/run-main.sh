#!/bin/sh
# Sets up (tools/setup-debian.sh), builds, and runs the main job on the
# default device (CLINIT_DEVICE, else the first GPU, else the first OpenCL
# device - pocl on a machine without a GPU - else the CPU path).
set -eu
cd "$(dirname "$0")/.."
sh tools/setup-debian.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target clinit_cli
./build/clinit devices
./build/clinit fill --method kaiming_uniform --shape 4096,4096 --seed 1 \
    --out build/kaiming_uniform_4096x4096.npy
