/**
 * Training speed per backend, measured side by side in one run (the machine is shared and noisy).
 *   npm run bench:training -- [--json] [--rounds N] [--backends cpu,wasm,webgpu] [--batch B]
 * - bench CNN (simple-cnn, 3 conv layers, 28 px; batch 64 unless --batch): samples/s on every backend
 *   listed, all in the same round → wasmOverCpu, webgpuOverWasm (medians of per-round ratios)
 * - webgpu only: the same CNN with tfjs-backend-webgpu's stock filter-gradient shader instead of
 *   satfarm's matrix products, in the same round → webgpuFilterGradSpeedup
 * - vgg11 at width ¼, 32 px, on the fastest backend listed (webgpu, else wasm): step time with and
 *   without saturation tracking, interleaved round by round → trackingOverhead (wall time) and
 *   trackingOverheadCpu (this process's CPU time: steadier on a shared machine, but on webgpu it
 *   leaves out the GPU)
 * - per backend, in a run of its own after the timed rounds: the bench CNN's traffic per step
 *   (`benchCnn.perStep`: kernels, host tensors, reads, main-thread ms; on webgpu also GPU dispatches,
 *   uploads, uniform writes, buffer reads and submits — see countActivity)
 */
import * as tf from '@tensorflow/tfjs';
import { type BackendName, selectBackend, useWebgpuFilterGrad } from '@satfarm/backends';
import { parseBenchArgs } from './args.ts';
import {
  BENCH_CNN,
  type Measurement,
  measureTraining,
  median,
  type Network,
  type StepActivity,
} from './measure.ts';

const options = parseBenchArgs(process.argv.slice(2));
const { rounds, batch, backends, json } = options;

const benchCnn = BENCH_CNN;
const vgg: Network = {
  label: 'vgg11-x0.25',
  architecture: 'vgg11',
  resolution: 32,
  widthMultiplier: 0.25,
  channels: 1,
};

function log(msg: string): void {
  if (!json) process.stderr.write(`${msg}\n`);
}

/** cpu is ~100× slower than wasm: one timed step after one warm-up is enough for a ratio that size. */
function stepsFor(backend: BackendName): { steps: number; warmup: number } {
  return backend === 'cpu' ? { steps: 1, warmup: 1 } : { steps: 20, warmup: 3 };
}

async function measureOn(backend: BackendName, net: Network, tracking = true): Promise<Measurement> {
  const steps = net === benchCnn ? stepsFor(backend) : { steps: 8, warmup: 2 };
  return measureTraining(net, { batch, ...steps, tracking, backend });
}

/** The bench CNN's traffic per step, counted in a run of its own (the wrappers stay out of the timed runs). */
async function countOn(backend: BackendName): Promise<StepActivity> {
  await selectBackend(backend);
  const steps = backend === 'cpu' ? { steps: 1, warmup: 1 } : { steps: 4, warmup: 2 };
  const m = await measureTraining(benchCnn, { batch, ...steps, tracking: true, backend, count: true });
  if (m.perStep === undefined) throw new Error(`no counts from the ${backend} run`);
  return m.perStep;
}

const devices: Partial<Record<BackendName, string>> = {};
const speeds: Partial<Record<BackendName, number[]>> = {};
const stockFilterGrad: number[] = [];
const overheadOn: BackendName = backends.includes('webgpu') ? 'webgpu' : 'wasm';
const tracked: number[] = [];
const plain: number[] = [];
const overheads: number[] = [];
const cpuOverheads: number[] = [];
for (let r = 0; r < rounds; r++) {
  const line: string[] = [];
  for (const backend of backends) {
    devices[backend] = (await selectBackend(backend)).device;
    const m = await measureOn(backend, benchCnn);
    speeds[backend] = [...(speeds[backend] ?? []), m.samplesPerSecond];
    line.push(`${backend} ${m.samplesPerSecond.toFixed(backend === 'cpu' ? 2 : 0)}`);
    if (backend === 'webgpu') {
      useWebgpuFilterGrad('stock');
      try {
        const stock = await measureOn('webgpu', benchCnn);
        stockFilterGrad.push(stock.samplesPerSecond);
        line.push(`webgpu-stock-filter-grad ${stock.samplesPerSecond.toFixed(0)}`);
      } finally {
        useWebgpuFilterGrad('tiled');
      }
    }
  }
  if (backends.includes(overheadOn)) {
    await selectBackend(overheadOn);
    // Alternate the order so drift in machine load does not favour one side.
    const first = r % 2 === 0;
    const a = await measureOn(overheadOn, vgg, first);
    const b = await measureOn(overheadOn, vgg, !first);
    const [t, p] = first ? [a, b] : [b, a];
    tracked.push(t.samplesPerSecond);
    plain.push(p.samplesPerSecond);
    overheads.push(t.secondsPerStep / p.secondsPerStep);
    cpuOverheads.push(t.cpuSecondsPerStep / p.cpuSecondsPerStep);
    line.push(
      `vgg11 ¼ on ${overheadOn} ${t.samplesPerSecond.toFixed(0)} tracked / ${p.samplesPerSecond.toFixed(0)} plain`,
    );
  }
  log(`round ${r + 1}/${rounds}, bench CNN samples/s at batch ${batch}: ${line.join('; ')}`);
}

const perStep: Partial<Record<BackendName, StepActivity>> = {};
for (const backend of backends) {
  perStep[backend] = await countOn(backend);
  log(`per step on ${backend}: ${describeActivity(perStep[backend]!)}`);
}

function describeActivity(a: StepActivity): string {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  const parts = [
    `${a.kernels.toFixed(0)} kernels`,
    `${a.hostTensors.count.toFixed(1)} host tensors (${kb(a.hostTensors.bytes)}; input ${kb(a.inputBytes)})`,
    `${a.reads.count.toFixed(1)} reads`,
    `${a.mainThreadMs.toFixed(1)} ms main thread`,
  ];
  if (a.gpu) {
    parts.push(
      `GPU: ${a.gpu.dispatches.toFixed(0)} dispatches, ${a.gpu.uploads.count.toFixed(1)} uploads (${kb(a.gpu.uploads.bytes)}), ` +
        `${a.gpu.uniformWrites.count.toFixed(0)} uniform writes, ${a.gpu.reads.count.toFixed(1)} reads, ${a.gpu.submits.toFixed(1)} submits`,
    );
  }
  return parts.join(', ');
}

/** Median over rounds of the per-round ratio a/b (same round, same load). */
function ratio(a: number[] | undefined, b: number[] | undefined): number | undefined {
  if (!a || !b) return undefined;
  return median(a.map((x, i) => x / b[i]!));
}

const samplesPerSecond = Object.fromEntries(Object.entries(speeds).map(([k, v]) => [k, median(v)]));
const result = {
  machine: { cores: (await import('node:os')).cpus().length, node: process.version, tfjs: tf.version.tfjs },
  devices,
  batch,
  rounds,
  benchCnn: {
    samplesPerSecond,
    perStep,
    ...(stockFilterGrad.length > 0 ? { webgpuStockFilterGradSamplesPerSecond: median(stockFilterGrad) } : {}),
  },
  wasmOverCpu: ratio(speeds.wasm, speeds.cpu),
  webgpuOverWasm: ratio(speeds.webgpu, speeds.wasm),
  webgpuFilterGradSpeedup: ratio(speeds.webgpu, stockFilterGrad.length > 0 ? stockFilterGrad : undefined),
  ...(overheads.length > 0
    ? {
        vgg11Quarter32: {
          backend: overheadOn,
          trackedSamplesPerSecond: median(tracked),
          plainSamplesPerSecond: median(plain),
        },
        trackingOverhead: median(overheads),
        trackingOverheadCpu: median(cpuOverheads),
      }
    : {}),
};
if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
else {
  const x = (v: number | undefined) => (v === undefined ? undefined : `${v.toFixed(1)}×`);
  const lines = [
    ['wasmOverCpu', x(result.wasmOverCpu)],
    ['webgpuOverWasm', x(result.webgpuOverWasm)],
    ['webgpuFilterGradSpeedup', x(result.webgpuFilterGradSpeedup)],
    ['trackingOverhead', result.trackingOverhead?.toFixed(3)],
    ['trackingOverheadCpu', result.trackingOverheadCpu?.toFixed(3)],
  ].filter(([, v]) => v !== undefined);
  process.stdout.write(
    `bench CNN at batch ${batch}, samples/s (median of ${rounds} rounds): ` +
      `${Object.entries(samplesPerSecond)
        .map(([k, v]) => `${k} ${v.toFixed(k === 'cpu' ? 2 : 0)}`)
        .join(', ')}\n${lines.map(([k, v]) => `${k} ${v}`).join('\n')}\n`,
  );
}
