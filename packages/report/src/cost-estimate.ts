import { cellKey } from './cells.ts';
import type { Cell } from './cells.ts';
import { mdTable } from './markdown.ts';
import type { ReportInput } from './report-input.ts';

/** The parts of a layer that decide its forward cost (a structural subset of @satfarm/models' LayerSpec). */
export interface CostLayer {
  name: string;
  kind: string;
  inputs: string[];
  kernel: number;
  width: number;
  outputSize: number;
}

/**
 * Forward multiply-accumulates per image: conv layers `side² · k² · C_in · C_out`, dense layers
 * `C_in · C_out`; pooling, batch norm and activations are left out (a few percent at most here).
 */
export function forwardMacs(layers: readonly CostLayer[], inputChannels: number): number {
  const width = new Map<string, number>();
  let macs = 0;
  for (const layer of layers) {
    const input = layer.inputs[0];
    const inWidth = input === undefined ? inputChannels : (width.get(input) ?? inputChannels);
    if (layer.kind === 'conv') macs += layer.outputSize ** 2 * layer.kernel ** 2 * inWidth * layer.width;
    else if (layer.kind === 'dense') macs += inWidth * layer.width;
    width.set(layer.name, layer.width);
  }
  return macs;
}

/** A training epoch costs about three forward passes per training image (forward, two backward) and one per test image. */
const TRAINING_PASSES = 3;

interface Rates {
  basis: Cell;
  macsPerImage: number;
  /** Seconds per forward MAC of training-equivalent work: the basis cell's mean trial. */
  trainRate: number;
  /** The same from the basis cell's fastest epoch: the least disturbed by other work on the machine. */
  fastTrainRate: number;
  fastestEpoch: number;
  meanEpoch: number;
  /** Seconds per forward MAC of the projection test's test passes; null when the basis ran none. */
  projectionRate: number | null;
  basisPasses: number;
}

function rates(input: ReportInput, cells: readonly Cell[]): Rates | undefined {
  const compute = input.compute;
  if (compute === undefined) return undefined;
  const measured = cells.filter((c) => c.seconds !== undefined && c.n > 0);
  const withMacs = measured.flatMap((c) => {
    const m = compute.macs.find((x) => cellKey(x) === cellKey(c));
    return m ? [{ cell: c, macs: m.macsPerImage }] : [];
  });
  if (withMacs.length === 0) return undefined;
  const { cell: basis, macs } = withMacs.reduce((a, b) => (b.macs > a.macs ? b : a));
  const perEpoch = macs * (TRAINING_PASSES * compute.trainImages + compute.testImages);
  const epochSeconds = input.epochs.filter((e) => cellKey(e) === cellKey(basis)).map((e) => e.seconds);
  const fastestEpoch = Math.min(...epochSeconds);
  const meanEpoch = basis.seconds!.mean / compute.epochs;
  // Projection passes of one basis trial: every stored row is one eigenspace pass plus one per draw.
  const rows = input.projections.filter((p) => cellKey(p) === cellKey(basis));
  const trialsWithRows = new Set(rows.map((r) => r.trialId)).size;
  const basisPasses =
    trialsWithRows === 0 ? 0 : rows.reduce((a, r) => a + 1 + r.randomAccuracies.length, 0) / trialsWithRows;
  const projectionSeconds =
    basis.wallSeconds !== undefined && basis.seconds !== undefined
      ? basis.wallSeconds.mean - basis.seconds.mean
      : null;
  const projectionRate =
    basisPasses > 0 && projectionSeconds !== null && projectionSeconds > 0
      ? projectionSeconds / (macs * compute.testImages * basisPasses)
      : null;
  return {
    basis,
    macsPerImage: macs,
    trainRate: meanEpoch / perEpoch,
    fastTrainRate: (epochSeconds.length > 0 ? fastestEpoch : meanEpoch) / perEpoch,
    fastestEpoch: epochSeconds.length > 0 ? fastestEpoch : meanEpoch,
    meanEpoch,
    projectionRate,
    basisPasses,
  };
}

const hours = (s: number) =>
  s / 3600 >= 100 ? Math.round(s / 3600).toLocaleString('en-US') : (s / 3600).toFixed(1);

/** `542 days (1.5 years)`. */
function days(seconds: number): string {
  const d = seconds / 86_400;
  return d >= 365
    ? `${Math.round(d).toLocaleString('en-US')} days (${(d / 365).toFixed(1)} years)`
    : `${d.toFixed(0)} days`;
}

/** What another spec would cost on this machine, scaled from this sweep's measured seconds. */
export function costEstimateSection(input: ReportInput, cells: readonly Cell[]): string[] {
  const estimate = input.estimate;
  const r = rates(input, cells);
  if (estimate === undefined || r === undefined || input.compute === undefined) return [];
  const work = (c: { macsPerImage: number }) =>
    c.macsPerImage * (TRAINING_PASSES * estimate.trainImages + estimate.testImages) * estimate.epochs;
  const rows = estimate.cells.map((c) => {
    const projection =
      r.projectionRate === null
        ? 0
        : r.projectionRate * c.macsPerImage * estimate.testImages * c.projectionPasses;
    const fast = r.fastTrainRate * work(c);
    const slow = r.trainRate * work(c);
    return {
      c,
      fast,
      slow,
      projection,
      low: (fast + projection) * c.seeds,
      high: (slow + projection) * c.seeds,
    };
  });
  const low = rows.reduce((a, x) => a + x.low, 0);
  const high = rows.reduce((a, x) => a + x.high, 0);
  const cores = input.cores ?? 1;
  const { basis } = r;
  const compute = input.compute;
  const range = (a: number, b: number) => (hours(a) === hours(b) ? hours(a) : `${hours(a)}–${hours(b)}`);
  return [
    `## Cost of ${estimate.file} on this machine (estimated, not run)`,
    '',
    `Scaled from this sweep's own measurements. The basis is the cell with the most work per image, ` +
      `${basis.architecture} (${basis.variant}) at ${basis.resolution} px (${(r.macsPerImage / 1e6).toFixed(1)} M ` +
      `forward multiply-accumulates per image): its epochs of ${compute.trainImages.toLocaleString('en-US')} training ` +
      `and ${compute.testImages.toLocaleString('en-US')} test images took ${r.meanEpoch.toFixed(1)} s on average and ` +
      `${r.fastestEpoch.toFixed(1)} s at the fastest, i.e. ${(r.trainRate * 1e9).toFixed(2)} and ` +
      `${(r.fastTrainRate * 1e9).toFixed(2)} s per 10⁹ MACs of work, counted as ${TRAINING_PASSES} forward passes per ` +
      'training image and one per test image (the two differ because other work shared the machine during the sweep; ' +
      'the fastest epoch is the least disturbed)' +
      (r.projectionRate === null
        ? '; the projection test is left out (no measurement to scale).'
        : `; its projection test took ${((r.projectionRate ?? 0) * 1e9).toFixed(2)} s per 10⁹ MACs of passes over the ` +
          `test set (${r.basisPasses.toFixed(0)} passes per trial, timed as the trial's wall time minus its epochs).`) +
      ` The same rates applied to ${estimate.file} (${estimate.dataset}, ${estimate.trainImages.toLocaleString('en-US')} ` +
      `training and ${estimate.testImages.toLocaleString('en-US')} test images, ${estimate.epochs} epochs) assume the ` +
      'wasm backend runs larger convolutions at the same speed per MAC; that can be off by a small factor either way, ' +
      'not by orders of magnitude. Memory is not estimated.',
    '',
    mdTable(
      [
        'architecture',
        'variant',
        'resolution',
        'seeds',
        'forward MACs / image',
        'training h / trial',
        'projection h / trial',
        'h for all seeds',
      ],
      rows.map((x) => [
        x.c.architecture,
        x.c.variant,
        x.c.resolution,
        x.c.seeds,
        `${(x.c.macsPerImage / 1e9).toFixed(2)} G`,
        range(x.fast, x.slow),
        hours(x.projection),
        range(x.low, x.high),
      ]),
    ),
    '',
    `In all ${range(low, high)} core-hours: ${days(low / cores)} to ${days(high / cores)} on this machine's ${cores} ` +
      `core${cores === 1 ? '' : 's'} with one trial per core, against ${hours(
        cells.reduce((a, c) => a + (c.seconds ? c.seconds.mean * c.n : 0), 0),
      )} core-hours of training and evaluation for this whole sweep.`,
    '',
  ];
}
