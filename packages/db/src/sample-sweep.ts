import {
  type EpochEvent,
  type LayerEpochResult,
  parseSweepSpec,
  type ResultEvent,
  type TrialConfig,
} from '@satfarm/contracts';
import type { Pool } from './connection.ts';
import { ingestEvents } from './ingest.ts';
import { createSweep } from './sweeps.ts';

/** The layers every sample trial reports, in forward order (kind, width d, receptive field). */
export const SAMPLE_LAYERS = [
  { name: 'conv1', kind: 'conv', width: 16, receptiveField: 3 },
  { name: 'conv2', kind: 'conv', width: 32, receptiveField: 5 },
  { name: 'pool1', kind: 'pool', width: 32, receptiveField: 6 },
  { name: 'conv3', kind: 'conv', width: 64, receptiveField: 10 },
  { name: 'pool2', kind: 'pool', width: 64, receptiveField: 12 },
  { name: 'conv4', kind: 'conv', width: 64, receptiveField: 20 },
  // A name with markup characters: every page and plot must show it as text.
  { name: 'dense<"out">', kind: 'dense', width: 10, receptiveField: 20 },
] as const satisfies readonly Pick<LayerEpochResult, 'name' | 'kind' | 'width' | 'receptiveField'>[];

export const SAMPLE_RESOLUTIONS = [14, 28] as const;
export const SAMPLE_SEEDS = [1, 2] as const;
export const SAMPLE_EPOCHS = 3;

/**
 * k of a sample layer (saturation = k / d): falls along the network, rises with epochs, lower at
 * 14 px, a little higher in train mode.
 */
export function sampleK(layer: number, epoch: number, resolution: number, mode: 'train' | 'eval'): number {
  const value =
    0.85 -
    0.11 * layer +
    0.06 * (epoch - 1) -
    (resolution === 14 ? 0.025 * layer : 0) +
    (mode === 'train' ? 0.04 : 0);
  const width = SAMPLE_LAYERS[layer]!.width;
  return Math.max(1, Math.min(width, Math.round(value * width)));
}

export function sampleSaturation(
  layer: number,
  epoch: number,
  resolution: number,
  mode: 'train' | 'eval',
): number {
  return sampleK(layer, epoch, resolution, mode) / SAMPLE_LAYERS[layer]!.width;
}

/** Test accuracy of a sample trial: 28 px beats 14 px, so 28 is the recommended resolution. */
export function sampleAccuracy(resolution: number, seed: number, epoch: number): number {
  return (resolution === 14 ? 0.78 : 0.85) + 0.01 * seed + 0.03 * (epoch - SAMPLE_EPOCHS);
}

export interface SampleSweep {
  sweepId: string;
  name: string;
  /** Trial ids in expansion order (resolution, then seed). */
  trialIds: string[];
  configs: TrialConfig[];
}

const AT = '2026-11-26T12:00:00.000Z';

/**
 * Writes a small sweep through the real write path (`createSweep`, then `ingestEvents` with
 * hand-made result events; nothing is trained): simple-cnn at 14 and 28 px, seeds 1 and 2, three
 * epochs, seven layers. `finished: false` leaves it running: its first trial has one epoch, the rest
 * are queued. For tests, screenshots and trying the dashboard out.
 */
export async function insertSampleSweep(
  pool: Pool,
  options: { name?: string; finished?: boolean } = {},
): Promise<SampleSweep> {
  const name = options.name ?? 'sample sweep';
  const spec = parseSweepSpec({
    name,
    dataset: { name: 'synthetic', trainLimit: 64, testLimit: 32 },
    grid: { architecture: ['simple-cnn'], resolution: [...SAMPLE_RESOLUTIONS], seed: [...SAMPLE_SEEDS] },
    training: { epochs: SAMPLE_EPOCHS, batchSize: 16 },
  });
  const { sweepId } = await createSweep(pool, spec);
  const { rows } = await pool.query<{ id: string; config: TrialConfig }>(
    'SELECT id, config FROM trials WHERE sweep_id = $1 ORDER BY ordinal',
    [sweepId],
  );
  const events: ResultEvent[] = [];
  const finished = options.finished ?? true;
  rows.forEach(({ id, config }, index) => {
    if (!finished && index > 0) return;
    events.push({
      type: 'started',
      sweepId,
      trialId: id,
      attempt: 1,
      worker: 'sample',
      backend: 'wasm',
      device: 'cpu',
      at: AT,
    });
    const epochs = finished ? SAMPLE_EPOCHS : 1;
    for (let epoch = 1; epoch <= epochs; epoch++) events.push(sampleEpoch(sweepId, id, config, epoch));
    if (finished)
      events.push({ type: 'finished', sweepId, trialId: id, attempt: 1, status: 'completed', at: AT });
  });
  await ingestEvents(pool, events);
  return { sweepId, name, trialIds: rows.map((r) => r.id), configs: rows.map((r) => r.config) };
}

/** One hand-made epoch of a sample trial (exported so tests can add epochs to a running sweep). */
export function sampleEpoch(
  sweepId: string,
  trialId: string,
  config: TrialConfig,
  epoch: number,
): EpochEvent {
  const { resolution, seed } = config;
  const layers: LayerEpochResult[] = SAMPLE_LAYERS.map((layer, index) => {
    const k = (mode: 'train' | 'eval') => sampleK(index, epoch, resolution, mode);
    return {
      ...layer,
      index,
      unproductive: layer.receptiveField >= resolution,
      train: { k: k('train'), saturation: k('train') / layer.width },
      eval: { k: k('eval'), saturation: k('eval') / layer.width },
    };
  });
  const accuracy = sampleAccuracy(resolution, seed, epoch);
  return {
    type: 'epoch',
    sweepId,
    trialId,
    attempt: 1,
    result: {
      epoch,
      trainLoss: 1.6 / epoch,
      trainAccuracy: Math.min(1, accuracy + 0.04),
      testLoss: 1.8 / epoch + 0.1,
      testAccuracy: accuracy,
      seconds: 2.5,
      backend: 'wasm',
      layers,
    },
  };
}
