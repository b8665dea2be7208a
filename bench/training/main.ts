/**
 * Training speed per backend, measured side by side in one run (the machine is shared and noisy).
 *   npm run bench:training -- [--json] [--rounds N]
 * - bench CNN (simple-cnn, 3 conv layers, 28 px, batch 64): samples/s on `cpu` and `wasm`, in the same
 *   round → wasmOverCpu (median of per-round ratios)
 * - vgg11 at width ¼, 32 px, batch 64, wasm: step time with and without saturation tracking, interleaved
 *   round by round → trackingOverhead (median of per-round ratios)
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@satfarm/training';
import { measureTraining, median, type Network } from './measure.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const roundsArg = args.indexOf('--rounds');
const rounds = roundsArg >= 0 ? Number(args[roundsArg + 1]) : 3;
if (!Number.isInteger(rounds) || rounds < 1) {
  process.stderr.write(`bench:training: --rounds: got ${args[roundsArg + 1]}; expected an integer ≥ 1\n`);
  process.exit(2);
}

const benchCnn: Network = {
  label: 'bench-cnn',
  architecture: 'simple-cnn',
  resolution: 28,
  depth: 3,
  baseWidth: 16,
  channels: 1,
};
const vgg: Network = {
  label: 'vgg11-x0.25',
  architecture: 'vgg11',
  resolution: 32,
  widthMultiplier: 0.25,
  channels: 1,
};
const batch = 64;

function log(msg: string): void {
  if (!json) process.stderr.write(`${msg}\n`);
}

// Every round measures every configuration, so load changes on the shared machine hit both sides of
// each ratio alike; the ratios are medians of per-round ratios. cpu is ~100× slower: one timed step
// after one warm-up is enough for a ratio of that size.
const cpuRuns: number[] = [];
const wasmRuns: number[] = [];
const speedups: number[] = [];
const vggTracked: number[] = [];
const vggPlain: number[] = [];
const ratios: number[] = [];
let wasmDevice = '';
for (let r = 0; r < rounds; r++) {
  await selectBackend('cpu');
  const cpu = await measureTraining(benchCnn, { batch, steps: 1, warmup: 1, tracking: true, backend: 'cpu' });
  wasmDevice = (await selectBackend('wasm')).device;
  const w = await measureTraining(benchCnn, { batch, steps: 20, warmup: 2, tracking: true, backend: 'wasm' });
  cpuRuns.push(cpu.samplesPerSecond);
  wasmRuns.push(w.samplesPerSecond);
  speedups.push(w.samplesPerSecond / cpu.samplesPerSecond);
  // Alternate the order so drift in machine load does not favour one side.
  const first = r % 2 === 0;
  const a = await measureTraining(vgg, { batch, steps: 8, warmup: 2, tracking: first, backend: 'wasm' });
  const b = await measureTraining(vgg, { batch, steps: 8, warmup: 2, tracking: !first, backend: 'wasm' });
  const tracked = first ? a : b;
  const plain = first ? b : a;
  vggTracked.push(tracked.samplesPerSecond);
  vggPlain.push(plain.samplesPerSecond);
  ratios.push(tracked.secondsPerStep / plain.secondsPerStep);
  log(
    `round ${r + 1}/${rounds}: bench-cnn cpu ${cpu.samplesPerSecond.toFixed(2)} / wasm ${w.samplesPerSecond.toFixed(0)} ` +
      `samples/s; vgg11 ¼ ${tracked.samplesPerSecond.toFixed(0)} tracked / ${plain.samplesPerSecond.toFixed(0)} plain`,
  );
}

const wasm = median(wasmRuns);
const cpu = median(cpuRuns);
const result = {
  machine: { cores: (await import('node:os')).cpus().length, node: process.version, tfjs: tf.version.tfjs },
  wasmDevice,
  batch,
  rounds,
  benchCnn: { cpuSamplesPerSecond: cpu, wasmSamplesPerSecond: wasm },
  vgg11Quarter32: { trackedSamplesPerSecond: median(vggTracked), plainSamplesPerSecond: median(vggPlain) },
  wasmOverCpu: median(speedups),
  trackingOverhead: median(ratios),
};
if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
else {
  process.stdout.write(
    `wasmOverCpu ${result.wasmOverCpu.toFixed(1)}× (bench CNN, wasm ${wasm.toFixed(0)} vs cpu ` +
      `${cpu.toFixed(2)} samples/s; median of ${rounds} rounds)\n` +
      `trackingOverhead ${result.trackingOverhead.toFixed(3)} (vgg11 ¼, 32 px, wasm; median of ${rounds} rounds)\n`,
  );
}
