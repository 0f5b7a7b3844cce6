#!/bin/sh
# Sets up (tools/setup-debian.sh), builds, and runs the main job on the
# default device (CLINIT_DEVICE, else the first GPU, else the first OpenCL
# device - pocl on a machine without a GPU - else the CPU path):
# initialize GPT-2 small (124M parameters) into a safetensors checkpoint
# and print its summary (--table full: every tensor).
set -eu
cd "$(dirname "$0")/.."
sh tools/setup-debian.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target clinit_cli
./build/clinit devices
./build/clinit init examples/gpt2_small.json --seed 0 \
    --out build/gpt2_small.safetensors
