#!/usr/bin/env bash
# Prepares .device/ for one run on the GPU machine (see bench/device/README.md): node, one bundle of
# bench/device/entry.ts, the wasm binaries, Dawn and the Vulkan loader (../shared/device/pack.sh), and
# the first 8,000 Fashion-MNIST training and 2,000 test examples (all that fits in the 64 MiB that
# travels, beside node and Dawn).
set -euo pipefail
cd "$(dirname "$0")/../.."
../shared/device/pack.sh bench/device/entry.ts .device
node --import tsx bench/device/fashion-subset.ts "${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}" \
  .device/fashion-mnist 8000 2000
du -sh .device
