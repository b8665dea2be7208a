/**
 * Saturation tracking's cost per batch with the tracker of another checkout and with this one, side
 * by side in ONE process (the machine is shared and noisy, so separate runs compare badly):
 *   npx tsx bench/training/tracking-ab.ts --before DIR [--rounds N] [--json]
 * DIR is a checkout to compare against with its own node_modules (e.g. `git worktree add /tmp/base
 * HEAD && (cd /tmp/base && npm ci)`); its packages/training/src is loaded next to this checkout's.
 * Network: vgg11 at width ¼, 32 px, batch 64, wasm — the one bench:training's trackingOverhead uses.
 * The tracked outputs of one training-mode forward pass are fed to both trackers, alternating which
 * goes first, each timed as momentsOf + readBatch + merge (what the training loop adds per batch):
 * - exact: a fresh tracker, so every layer takes the exact form (an epoch's first batch, and every
 *   batch of a layer whose mean is large against its spread);
 * - steady: a tracker that has seen a batch, so every layer is in the form it settles in.
 * The plain training step (no tracking) is timed in the same rounds for scale: overhead ≈ 1 +
 * tracking / step, comparable with bench:training's trackingOverhead. All times are this process's
 * CPU time (see `timed`).
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describeArchitecture } from '@satfarm/models';
import { buildModel } from '@satfarm/models/builder';
import { selectBackend } from '@satfarm/backends';
import { measureTraining, median, type Network } from './measure.ts';

interface Tracker {
  momentsOf(outputs: readonly tf.Tensor[]): unknown[];
  merge(mode: 'train' | 'eval', moments: readonly unknown[]): number;
}
interface TrackingCode {
  SaturationTracker: new (widths: readonly number[], maxSamplesPerBatch: number) => Tracker;
  readBatch(scalars: readonly tf.Tensor[], moments: readonly unknown[]): Promise<{ moments: unknown[] }>;
}

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { before: { type: 'string' }, rounds: { type: 'string' }, json: { type: 'boolean' } },
  strict: true,
});
if (values.before === undefined) {
  process.stderr.write('tracking-ab: --before DIR is required (a checkout to compare against)\n');
  process.exit(2);
}
const rounds = Number(values.rounds ?? 10);
if (!Number.isInteger(rounds) || rounds < 1) {
  process.stderr.write(`tracking-ab: --rounds: got '${values.rounds}'; expected an integer ≥ 1\n`);
  process.exit(2);
}

async function load(root: string): Promise<TrackingCode> {
  const src = resolve(root, 'packages/training/src');
  const [tracker, readback] = await Promise.all([
    import(resolve(src, 'saturation-tracker.ts')),
    import(resolve(src, 'batch-readback.ts')),
  ]);
  return { SaturationTracker: tracker.SaturationTracker, readBatch: readback.readBatch };
}

const VGG: Network = {
  label: 'vgg11-x0.25',
  architecture: 'vgg11',
  resolution: 32,
  widthMultiplier: 0.25,
  channels: 1,
};
const BATCH = 64;
const BATCHES_PER_TIMING = 5;

await selectBackend('wasm');
const sides = {
  before: await load(values.before),
  after: await load(resolve(import.meta.dirname, '../..')),
};
const graph = describeArchitecture('vgg11', {
  resolution: 32,
  channels: 1,
  classes: 10,
  widthMultiplier: 0.25,
});
const { model, tracked } = buildModel(graph, { seed: 1 });
const widths = tracked.map((l) => l.width);
const x = tf.randomNormal([BATCH, 32, 32, 1], 0, 1, 'float32', 1);
const [logits, ...outputs] = model.apply(x, { training: true }) as tf.Tensor[];

async function absorb(code: TrackingCode, tracker: Tracker): Promise<void> {
  const { moments } = await code.readBatch([], tracker.momentsOf(outputs));
  if (tracker.merge('train', moments) >= 0) throw new Error('non-finite moments');
}

/**
 * CPU milliseconds of this process per batch, over BATCHES_PER_TIMING batches. CPU time, not wall
 * time: wasm computes on this thread, and CPU time barely moves when other work shares the machine
 * (wall-time medians here swung by ±30 % between runs of the same code).
 */
async function timed(code: TrackingCode, tracker: () => Tracker): Promise<number> {
  const trackers = Array.from({ length: BATCHES_PER_TIMING }, tracker);
  const start = process.cpuUsage();
  for (const t of trackers) await absorb(code, t);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / BATCHES_PER_TIMING;
}

type Side = keyof typeof sides;
const ms: Record<Side, { exact: number[]; steady: number[] }> = {
  before: { exact: [], steady: [] },
  after: { exact: [], steady: [] },
};
const stepMs: number[] = [];
// One tracker per side that has seen a batch: its layers are in the forms they settle in.
const settled = {} as Record<Side, Tracker>;
for (const side of Object.keys(sides) as Side[]) {
  settled[side] = new sides[side].SaturationTracker(widths, 0);
  await absorb(sides[side], settled[side]); // also warms up the wasm kernels
}
for (let r = 0; r < rounds; r++) {
  const order: Side[] = r % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
  for (const side of order) {
    const code = sides[side];
    ms[side].exact.push(await timed(code, () => new code.SaturationTracker(widths, 0)));
  }
  for (const side of order) ms[side].steady.push(await timed(sides[side], () => settled[side]));
  const plain = await measureTraining(VGG, {
    batch: BATCH,
    steps: 4,
    warmup: 1,
    tracking: false,
    backend: 'wasm',
  });
  stepMs.push(plain.cpuSecondsPerStep * 1000);
  if (!values.json) process.stderr.write(`round ${r + 1}/${rounds}\n`);
}
tf.dispose([x, logits!, ...outputs]);
model.dispose();

const step = median(stepMs);
const summary = (side: Side) => ({
  exactMs: median(ms[side].exact),
  steadyMs: median(ms[side].steady),
  exactOverhead: 1 + median(ms[side].exact) / step,
  steadyOverhead: 1 + median(ms[side].steady) / step,
});
const result = {
  network: VGG.label,
  batch: BATCH,
  rounds,
  plainStepMs: step,
  before: summary('before'),
  after: summary('after'),
  /** Medians of per-round ratios after/before (same round, same load). */
  afterOverBefore: {
    exact: median(ms.after.exact.map((v, i) => v / ms.before.exact[i]!)),
    steady: median(ms.after.steady.map((v, i) => v / ms.before.steady[i]!)),
  },
};
if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
else {
  const f = (v: number) => v.toFixed(2);
  const line = (side: Side) => {
    const s = result[side];
    return `${side}: exact ${f(s.exactMs)} ms (overhead ${s.exactOverhead.toFixed(3)}), steady ${f(s.steadyMs)} ms (overhead ${s.steadyOverhead.toFixed(3)})`;
  };
  process.stdout.write(
    `${VGG.label} batch ${BATCH}, CPU ms: plain step ${f(step)}, tracking per batch (median of ${rounds} rounds):\n` +
      `${line('before')}\n${line('after')}\n` +
      `after/before: exact ${f(result.afterOverBefore.exact)}×, steady ${f(result.afterOverBefore.steady)}×\n`,
  );
}
