#!/usr/bin/env bash
# The device check, run ON the GPU machine in one call of at most 6 minutes (see bench/device/README.md):
#   source .device/setup.sh && bash bench/device/run.sh
# Writes under $OUT (default ./device-out): the GPU; gpu-check (bench CNN at batch 256 and vgg11 ×1 at
# 64 px, batch 128, on webgpu: samples/s, host ↔ device traffic per step, tf.profile's top kernels);
# the training bench on webgpu and wasm side by side; one Fashion-MNIST training on webgpu; and
# PyTorch's time for the same networks where the machine's python3 has torch. Each part has a time
# limit of its own, so one that hangs cannot eat the others' time.
# QUICK=1 makes every part tiny: a smoke test of this script on a machine without a GPU.
set -uo pipefail
out=${OUT:-device-out}
mkdir -p "$out"
if [ "${QUICK:-0}" = 1 ]; then
  quick=--quick rounds=1 batch=16 train=(--epochs 1 --limit 256) steps=5
else
  quick= rounds=2 batch=256 train=(--epochs 3) steps=50
fi
{ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "no nvidia-smi"; } | tee "$out/gpu.txt"
timeout 170 node .device/app.mjs gpu-check $quick >"$out/gpu-check.json" 2>"$out/gpu-check.log"
echo "gpu-check rc $?: $(head -c 3000 "$out/gpu-check.json")"
timeout 100 node .device/app.mjs bench --backends webgpu,wasm --batch "$batch" --rounds "$rounds" --json \
  >"$out/bench.json" 2>"$out/bench.log"
echo "bench rc $?: $(head -c 2000 "$out/bench.json")"
FASHION_MNIST_DIR=.device/fashion-mnist CHECKPOINT_DIR=/tmp/satfarm-checkpoints \
  timeout 60 node .device/app.mjs satfarm train --arch simple-cnn --resolution 28 --dataset fashion-mnist \
  "${train[@]}" --batch-size "$batch" --backend webgpu --json >"$out/train.jsonl" 2>"$out/train.log"
echo "train rc $?: $(tail -c 600 "$out/train.jsonl")"
if python3 -c 'import torch' 2>/dev/null; then
  for args in "--network bench-cnn --batch 256" "--network vgg11 --resolution 64 --batch 128" \
    "--network vgg11 --resolution 32 --batch 256"; do
    # shellcheck disable=SC2086 # the arguments are meant to split
    timeout 40 python3 bench/device/torch_anchor.py $args --steps "$steps" >>"$out/torch.jsonl" 2>>"$out/torch.log"
  done
  echo "torch: $(cat "$out/torch.jsonl")"
else
  echo "no PyTorch in this machine's python3: no anchor" | tee "$out/torch.log"
fi
