#!/usr/bin/env bash
# The device check, run ON the GPU machine in one call (see bench/device/README.md):
#   source .device/setup.sh && bash bench/device/run.sh
# Writes its results under $OUT (default ./device-out): the GPU, the training bench on webgpu and wasm
# side by side, one Fashion-MNIST training on webgpu, and PyTorch's time for the same CNN where the
# machine's python3 has torch.
# QUICK=1 makes every part tiny: a smoke test of this script on a machine without a GPU.
set -uo pipefail
out=${OUT:-device-out}
mkdir -p "$out"
if [ "${QUICK:-0}" = 1 ]; then rounds=1 batch=32 train=(--epochs 1 --limit 256); else rounds=3 batch=256 train=(--epochs 3); fi
{ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "no nvidia-smi"; } | tee "$out/gpu.txt"
node .device/app.mjs bench --backends webgpu,wasm --batch "$batch" --rounds "$rounds" --json \
  >"$out/bench.json" 2>"$out/bench.log"
echo "bench rc $?: $(cat "$out/bench.json")"
FASHION_MNIST_DIR=.device/fashion-mnist CHECKPOINT_DIR=/tmp/satfarm-checkpoints \
  node .device/app.mjs satfarm train --arch simple-cnn --resolution 28 --dataset fashion-mnist \
  "${train[@]}" --batch-size "$batch" --backend webgpu --json >"$out/train.jsonl" 2>"$out/train.log"
echo "train rc $?: $(tail -c 600 "$out/train.jsonl")"
if python3 -c 'import torch' 2>/dev/null; then
  python3 bench/device/torch_anchor.py --batch "$batch" >"$out/torch.json" 2>"$out/torch.log"
  echo "torch rc $?: $(cat "$out/torch.json")"
else
  echo "no PyTorch in this machine's python3: no anchor" | tee "$out/torch.log"
fi
