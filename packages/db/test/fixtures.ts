import {
  type EpochEvent,
  type FinishedEvent,
  type LayerEpochResult,
  parseSweepSpec,
  type StartedEvent,
  type SweepSpec,
  type TrialConfig,
  type TrialOutcome,
} from '@satfarm/contracts';
import { createSweep, type Pool } from '@satfarm/db';

export function smallSpec(overrides: Record<string, unknown> = {}): SweepSpec {
  return parseSweepSpec({
    name: 'test-sweep',
    dataset: { name: 'synthetic', trainLimit: 64, testLimit: 32 },
    grid: { architecture: ['simple-cnn'], resolution: [14, 28], seed: [1, 2] },
    training: { epochs: 2, batchSize: 16 },
    ...overrides,
  });
}

/** Creates `spec`'s sweep; returns its id and its trials in expansion order. */
export async function createSweepWithTrials(
  pool: Pool,
  spec: SweepSpec,
): Promise<{ sweepId: string; trials: { id: string; config: TrialConfig }[] }> {
  const { sweepId } = await createSweep(pool, spec);
  const { rows } = await pool.query<{ id: string; config: TrialConfig }>(
    'SELECT id, config FROM trials WHERE sweep_id = $1 ORDER BY ordinal',
    [sweepId],
  );
  return { sweepId, trials: rows };
}

const AT = '2026-11-26T12:00:00.000Z';

export function started(sweepId: string, trialId: string, attempt = 1, worker = 'w1'): StartedEvent {
  return { type: 'started', sweepId, trialId, attempt, worker, backend: 'wasm', device: 'cpu', at: AT };
}

export function finished(
  sweepId: string,
  trialId: string,
  status: TrialOutcome = 'completed',
  attempt = 1,
  error?: string,
): FinishedEvent {
  return {
    type: 'finished',
    sweepId,
    trialId,
    attempt,
    status,
    at: AT,
    ...(error === undefined ? {} : { error }),
  };
}

/** A `completed` event as a worker sends it: with the history of `smallSpec`'s 2 epochs. */
export function completed(sweepId: string, trialId: string, attempt = 1, epochs = 2): FinishedEvent {
  return {
    ...finished(sweepId, trialId, 'completed', attempt),
    epochs: Array.from({ length: epochs }, (_, i) => epoch(sweepId, trialId, i + 1, { attempt }).result),
  };
}

export function layers(
  count: number,
  saturation: (index: number, mode: 'train' | 'eval') => number = () => 0.5,
): LayerEpochResult[] {
  return Array.from({ length: count }, (_, index) => ({
    name: `conv${index}`,
    index,
    kind: 'conv' as const,
    width: 16,
    receptiveField: 3 + 2 * index,
    unproductive: index >= count - 1,
    train: { k: Math.round(saturation(index, 'train') * 16), saturation: saturation(index, 'train') },
    eval: { k: Math.round(saturation(index, 'eval') * 16), saturation: saturation(index, 'eval') },
  }));
}

export function epoch(
  sweepId: string,
  trialId: string,
  epochNumber: number,
  options: {
    attempt?: number;
    testAccuracy?: number;
    layerCount?: number;
    saturation?: (i: number, m: 'train' | 'eval') => number;
  } = {},
): EpochEvent {
  return {
    type: 'epoch',
    sweepId,
    trialId,
    attempt: options.attempt ?? 1,
    result: {
      epoch: epochNumber,
      trainLoss: 1 / epochNumber,
      trainAccuracy: 0.5 + epochNumber / 100,
      testLoss: 1.1 / epochNumber,
      testAccuracy: options.testAccuracy ?? 0.4 + epochNumber / 100,
      seconds: 1.5,
      backend: 'wasm',
      layers: layers(options.layerCount ?? 3, options.saturation),
    },
  };
}
