import type { EpochResult, ResultEvent } from '@satfarm/contracts';

export interface PrebuiltTrial {
  sweepId: string;
  trialId: string;
}

/**
 * What a worker would publish for each trial, built up front: `started`, one `epoch` per epoch with
 * `layers` tracked layers (2 layer rows each: train and eval), `finished`. Trial by trial, in order.
 */
export function prebuiltEvents(
  trials: readonly PrebuiltTrial[],
  epochs: number,
  layers: number,
): ResultEvent[] {
  const at = new Date().toISOString();
  const events: ResultEvent[] = [];
  for (const [t, { sweepId, trialId }] of trials.entries()) {
    events.push({
      type: 'started',
      sweepId,
      trialId,
      attempt: 1,
      worker: 'bench',
      backend: 'wasm',
      device: 'bench',
      at,
    });
    const history = Array.from({ length: epochs }, (_, i) => epochResult(i + 1, layers, t));
    for (const result of history) events.push({ type: 'epoch', sweepId, trialId, attempt: 1, result });
    // As a worker sends it: the whole history again with `completed`.
    events.push({ type: 'finished', sweepId, trialId, attempt: 1, status: 'completed', at, epochs: history });
  }
  return events;
}

function epochResult(epoch: number, layers: number, salt: number): EpochResult {
  return {
    epoch,
    trainLoss: 1 / epoch,
    trainAccuracy: 0.5,
    testLoss: 1.1 / epoch,
    testAccuracy: 0.45,
    seconds: 0.01,
    backend: 'wasm',
    layers: Array.from({ length: layers }, (_, index) => {
      const width = 16 << (index % 4);
      const k = 1 + ((index + salt + epoch) % width);
      return {
        name: `conv${index + 1}`,
        index,
        kind: 'conv' as const,
        width,
        receptiveField: 3 + 2 * index,
        unproductive: index > layers / 2,
        train: { k, saturation: k / width },
        eval: { k: Math.max(1, k - 1), saturation: Math.max(1, k - 1) / width },
      };
    }),
  };
}

/** Layer rows the events above produce. */
export function layerRowsOf(trials: number, epochs: number, layers: number): number {
  return trials * epochs * layers * 2;
}
