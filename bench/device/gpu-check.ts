/**
 * The GPU part of the device check (issue 12), one JSON line: for the bench CNN (28 px, 1 channel,
 * batch 256) and vgg11 ×1 (64 px, 3 channels, batch 128) on one backend (webgpu unless told):
 * samples/s over timed steps, the host ↔ device traffic per step (countActivity) and tf.profile's top
 * kernels. `--quick` shrinks batches and steps to check the script itself on a machine without a GPU.
 *   node .device/app.mjs gpu-check [--backend webgpu] [--quick]
 */
import { parseArgs } from 'node:util';
import { type BackendName, selectBackend } from '@satfarm/backends';
import { BENCH_CNN, measureTraining, type Network } from '../training/measure.ts';
import { profileTraining } from '../training/profile.ts';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { backend: { type: 'string', default: 'webgpu' }, quick: { type: 'boolean', default: false } },
  strict: true,
});
const backend = values.backend as BackendName;
const quick = values.quick === true;

const NETWORKS: { net: Network; batch: number }[] = [
  {
    net: BENCH_CNN,
    batch: quick ? 16 : 256,
  },
  {
    net: {
      label: 'vgg11-x1-64px',
      architecture: 'vgg11',
      resolution: quick ? 32 : 64,
      widthMultiplier: quick ? 0.125 : 1,
      channels: 3,
    },
    batch: quick ? 8 : 128,
  },
];

const active = await selectBackend(backend);
process.stderr.write(`gpu-check on ${active.device}\n`);
const results = [];
for (const { net, batch } of NETWORKS) {
  const timing = { batch, steps: quick ? 3 : 30, warmup: quick ? 2 : 5, tracking: true, backend };
  const timed = await measureTraining(net, timing);
  process.stderr.write(`${net.label}: ${timed.samplesPerSecond.toFixed(0)} samples/s at batch ${batch}\n`);
  const counted = await measureTraining(net, { ...timing, steps: 3, warmup: 2, count: true });
  const profile = await profileTraining(net, batch, quick ? 2 : 4);
  results.push({
    network: net.label,
    batch,
    samplesPerSecond: timed.samplesPerSecond,
    msPerStep: timed.secondsPerStep * 1000,
    perStep: counted.perStep,
    profile,
  });
}
process.stdout.write(`${JSON.stringify({ device: active.device, backend, quick, results })}\n`);
