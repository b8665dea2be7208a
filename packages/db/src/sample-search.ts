import type { Pool } from 'pg';
import { parseSweepSpec, type ResultEvent, type TrialConfig } from '@satfarm/contracts';
import { ingestEvents } from './ingest.ts';
import { sampleEpoch, type SampleSweep } from './sample-sweep.ts';
import { createSweep } from './sweeps.ts';

const AT = '2026-11-26T12:00:00.000Z';

/**
 * A successive-halving sweep driven to its end through the real write path, nothing trained:
 * simple-cnn at 14, 20, 28 and 36 px, seeds 1 and 2, 4 epochs, η = 2 (rungs at epochs 1 and 2:
 * 8 → 4 → 2 trials). Each stage's trials pause (`paused` events with their history), the aggregator's
 * decisions promote and prune them, and the promoted ones run again as the next attempt, as on a farm.
 */
export async function insertSampleSearch(pool: Pool, options: { name?: string } = {}): Promise<SampleSweep> {
  const name = options.name ?? 'sample search';
  const spec = parseSweepSpec({
    name,
    dataset: { name: 'synthetic', trainLimit: 64, testLimit: 32 },
    grid: { architecture: ['simple-cnn'], resolution: [14, 20, 28, 36], seed: [1, 2] },
    training: { epochs: 4, batchSize: 16 },
    search: { strategy: 'successive-halving', minEpochs: 1, reductionFactor: 2 },
  });
  const { sweepId } = await createSweep(pool, spec);
  const { rows } = await pool.query<{ id: string; config: TrialConfig }>(
    'SELECT id, config FROM trials WHERE sweep_id = $1 ORDER BY ordinal',
    [sweepId],
  );
  const configOf = new Map(rows.map((r) => [r.id, r.config]));
  const history = (id: string, upTo: number) =>
    Array.from({ length: upTo }, (_, i) => sampleEpoch(sweepId, id, configOf.get(id)!, i + 1).result);
  let stage = rows.map((r) => ({ trialId: r.id, rung: 0, untilEpoch: 1, attemptsBefore: 0 }));
  while (stage.length > 0) {
    const events: ResultEvent[] = stage.flatMap(({ trialId, rung, untilEpoch, attemptsBefore }) => {
      const attempt = attemptsBefore + 1;
      const started: ResultEvent = {
        type: 'started',
        sweepId,
        trialId,
        attempt,
        worker: 'sample',
        backend: 'wasm',
        device: 'cpu',
        at: AT,
      };
      const end: ResultEvent =
        untilEpoch < spec.training.epochs
          ? { type: 'paused', sweepId, trialId, attempt, rung, at: AT, epochs: history(trialId, untilEpoch) }
          : {
              type: 'finished',
              sweepId,
              trialId,
              attempt,
              status: 'completed',
              at: AT,
              epochs: history(trialId, untilEpoch),
            };
      return [started, end];
    });
    const { promotions } = await ingestEvents(pool, events);
    stage = promotions;
  }
  return { sweepId, name, trialIds: rows.map((r) => r.id), configs: rows.map((r) => r.config) };
}
