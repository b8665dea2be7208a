import type { Pool, PoolClient } from 'pg';
import { withClient } from './connection.ts';
import { AmbiguousIdError, NotFoundError } from './errors.ts';
import type { TrialStatus } from './statuses.ts';

export interface TrialResult {
  trialId: string;
  ordinal: number;
  architecture: string;
  variant: string;
  resolution: number;
  seed: number;
  widthMultiplier: number;
  status: TrialStatus;
  attempts: number;
  /** Final (last stored epoch) metrics; null before the first epoch. */
  testAccuracy: number | null;
  testLoss: number | null;
  trainAccuracy: number | null;
  trainLoss: number | null;
  /** Epochs stored so far, and planned. */
  epochs: number;
  plannedEpochs: number;
  backend: string | null;
  device: string | null;
  /** Training seconds summed over stored epochs. */
  seconds: number | null;
  meanTrainSaturation: number | null;
  meanEvalSaturation: number | null;
  error: string | null;
}

const TRIAL_RESULT_COLUMNS = `
  trial_id AS "trialId", ordinal, architecture, variant, resolution, seed, width_multiplier AS "widthMultiplier",
  status, attempts, final_test_accuracy AS "testAccuracy", final_test_loss AS "testLoss",
  final_train_accuracy AS "trainAccuracy", final_train_loss AS "trainLoss", last_epoch AS epochs,
  planned_epochs AS "plannedEpochs", backend, device, training_seconds AS seconds,
  mean_train_saturation AS "meanTrainSaturation", mean_eval_saturation AS "meanEvalSaturation", error`;

/**
 * One page of a sweep's trials in expansion order. The page's ids are picked from `trials` alone
 * (the (sweep_id, ordinal) index), so trial_summary's per-trial sums run for `limit` trials only,
 * not for every trial before the page.
 */
export async function sweepTrialsPage(
  pool: Pool,
  sweepId: string,
  page: { limit: number; offset: number },
): Promise<TrialResult[]> {
  return withClient(pool, async (client) => {
    const { rows } = await client.query<TrialResult>(
      `SELECT ${TRIAL_RESULT_COLUMNS} FROM trial_summary
       WHERE trial_id IN (SELECT id FROM trials WHERE sweep_id = $1 ORDER BY ordinal LIMIT $2 OFFSET $3)
       ORDER BY ordinal`,
      [sweepId, page.limit, page.offset],
    );
    return rows;
  });
}

/** Every trial of a sweep with its final metrics, in expansion order. */
export async function sweepResults(pool: Pool, sweepId: string): Promise<TrialResult[]> {
  return withClient(pool, async (client) => {
    const { rows } = await client.query<TrialResult>(
      `SELECT ${TRIAL_RESULT_COLUMNS} FROM trial_summary WHERE sweep_id = $1 ORDER BY ordinal`,
      [sweepId],
    );
    return rows;
  });
}

/** Candidates listed when a trial id prefix is ambiguous. */
const LISTED_CANDIDATES = 8;

/**
 * A trial by exact id or unique id prefix (at least 4 characters). A prefix several trials share
 * throws AmbiguousIdError listing them (id, what it trains, its sweep and when that was created).
 */
export async function findTrial(pool: Pool, idOrPrefix: string): Promise<TrialResult & { sweepId: string }> {
  return withClient(pool, async (client) => {
    const select = `SELECT sweep_id AS "sweepId", ${TRIAL_RESULT_COLUMNS} FROM trial_summary`;
    const exact = await client.query<TrialResult & { sweepId: string }>(`${select} WHERE trial_id = $1`, [
      idOrPrefix,
    ]);
    if (exact.rows[0] !== undefined) return exact.rows[0];
    if (/^[0-9a-f]{4,31}$/.test(idOrPrefix)) {
      const ids = await client.query<TrialCandidate>(
        `SELECT t.id, t.architecture, t.resolution, t.seed, s.name AS "sweepName", s.created_at AS "createdAt",
                count(*) OVER ()::int AS total
         FROM trials t JOIN sweeps s ON s.id = t.sweep_id
         WHERE starts_with(t.id, $1) ORDER BY s.created_at DESC, t.id LIMIT $2`,
        [idOrPrefix, LISTED_CANDIDATES],
      );
      if (ids.rows.length > 1)
        throw new AmbiguousIdError(
          'trial',
          idOrPrefix,
          ids.rows.map((r) => ({
            id: r.id,
            label: `(${r.architecture} at ${r.resolution} px, seed ${r.seed}, of sweep ${JSON.stringify(r.sweepName)})`,
            createdAt: r.createdAt,
          })),
          ids.rows[0]?.total,
        );
      const only = ids.rows[0];
      if (only !== undefined) {
        const found = await client.query<TrialResult & { sweepId: string }>(`${select} WHERE trial_id = $1`, [
          only.id,
        ]);
        if (found.rows[0] !== undefined) return found.rows[0];
      }
    }
    throw new NotFoundError(
      'trial',
      idOrPrefix,
      'give a trial id or a unique prefix of at least 4 characters (`satfarm results SWEEP` lists them)',
    );
  });
}

interface TrialCandidate {
  id: string;
  architecture: string;
  resolution: number;
  seed: number;
  sweepName: string;
  createdAt: Date;
  total: number;
}

export interface ResolutionSummaryRow {
  architecture: string;
  variant: string;
  resolution: number;
  trials: number;
  completed: number;
  seeds: number;
  meanTestAccuracy: number | null;
  /** Sample standard deviation over completed trials; null with fewer than two. */
  std: number | null;
  meanTrainAccuracy: number | null;
  meanTrainSaturation: number | null;
  meanEvalSaturation: number | null;
  meanTrainingSeconds: number | null;
  /** Trials a successive-halving search stopped (0 in a grid sweep). */
  pruned: number;
}

/** The `resolution_summary` view for one sweep, by architecture, variant and resolution. */
export async function resolutionSummary(pool: Pool, sweepId: string): Promise<ResolutionSummaryRow[]> {
  return withClient(pool, async (client) => {
    const { rows } = await client.query<ResolutionSummaryRow>(
      `SELECT architecture, variant, resolution, trials, completed, seeds,
              mean_test_accuracy AS "meanTestAccuracy", std_test_accuracy AS std,
              mean_train_accuracy AS "meanTrainAccuracy", mean_train_saturation AS "meanTrainSaturation",
              mean_eval_saturation AS "meanEvalSaturation", mean_training_seconds AS "meanTrainingSeconds",
              pruned
       FROM resolution_summary WHERE sweep_id = $1 ORDER BY architecture, variant, resolution`,
      [sweepId],
    );
    return rows;
  });
}

export interface BestResolution {
  architecture: string;
  variant: string;
  resolution: number;
  meanTestAccuracy: number;
  /** Sample standard deviation of the test accuracy; null with a single seed. */
  std: number | null;
  seeds: number;
}

/** The `recommended_resolution` view for one sweep: best mean test accuracy, ties to the smaller resolution. */
export async function bestResolutions(pool: Pool, sweepId: string): Promise<BestResolution[]> {
  return withClient(pool, async (client) => {
    const { rows } = await client.query<BestResolution>(
      `SELECT architecture, variant, resolution, mean_test_accuracy AS "meanTestAccuracy",
              std_test_accuracy AS std, seeds
       FROM recommended_resolution WHERE sweep_id = $1 ORDER BY architecture, variant`,
      [sweepId],
    );
    return rows;
  });
}

export interface LayerResolutionRow {
  architecture: string;
  variant: string;
  resolution: number;
  layerIndex: number;
  layerName: string;
  kind: string;
  width: number;
  receptiveField: number;
  unproductive: boolean;
  trials: number;
  meanEvalSaturation: number | null;
  meanTrainSaturation: number | null;
}

/** The `layer_resolution_summary` view for one sweep: saturation per layer and resolution. */
export async function layerResolutionSummary(pool: Pool, sweepId: string): Promise<LayerResolutionRow[]> {
  return withClient(pool, async (client) => {
    const { rows } = await client.query<LayerResolutionRow>(
      `SELECT architecture, variant, resolution, layer_index AS "layerIndex", layer_name AS "layerName", kind, width,
              receptive_field AS "receptiveField", unproductive, trials,
              mean_eval_saturation AS "meanEvalSaturation", mean_train_saturation AS "meanTrainSaturation"
       FROM layer_resolution_summary WHERE sweep_id = $1
       ORDER BY architecture, variant, resolution, layer_index`,
      [sweepId],
    );
    return rows;
  });
}

export interface EpochRow {
  epoch: number;
  attempt: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  seconds: number;
  backend: string;
}

/** A trial's stored epochs in order (empty before the first). Throws NotFoundError for an unknown trial. */
export async function trialEpochs(pool: Pool, trialId: string): Promise<EpochRow[]> {
  return withClient(pool, async (client) => {
    await requireTrial(client, trialId);
    const { rows } = await client.query<EpochRow>(
      `SELECT epoch, attempt, train_loss AS "trainLoss", train_accuracy AS "trainAccuracy", test_loss AS "testLoss",
              test_accuracy AS "testAccuracy", seconds, backend
       FROM epoch_metrics WHERE trial_id = $1 ORDER BY epoch`,
      [trialId],
    );
    return rows;
  });
}

export interface LayerRow {
  epoch: number;
  layerIndex: number;
  layerName: string;
  kind: string;
  width: number;
  receptiveField: number;
  unproductive: boolean;
  trainK: number | null;
  trainSaturation: number | null;
  evalK: number | null;
  evalSaturation: number | null;
}

/**
 * A trial's layers with train and eval saturation side by side, ordered by epoch then layer; only
 * `epoch` when given, every stored epoch otherwise. Throws NotFoundError for an unknown trial.
 */
export async function trialLayers(pool: Pool, trialId: string, epoch?: number): Promise<LayerRow[]> {
  return withClient(pool, async (client) => {
    await requireTrial(client, trialId);
    const { rows } = await client.query<LayerRow>(
      `SELECT epoch, layer_index AS "layerIndex", min(layer_name) AS "layerName", min(kind) AS kind,
              max(width) AS width, max(receptive_field) AS "receptiveField", bool_or(unproductive) AS unproductive,
              max(k) FILTER (WHERE mode = 'train') AS "trainK",
              max(saturation) FILTER (WHERE mode = 'train') AS "trainSaturation",
              max(k) FILTER (WHERE mode = 'eval') AS "evalK",
              max(saturation) FILTER (WHERE mode = 'eval') AS "evalSaturation"
       FROM layer_metrics
       WHERE trial_id = $1 AND ($2::int IS NULL OR epoch = $2::int)
       GROUP BY epoch, layer_index ORDER BY epoch, layer_index`,
      [trialId, epoch ?? null],
    );
    return rows;
  });
}

async function requireTrial(client: PoolClient, trialId: string): Promise<void> {
  const found = await client.query('SELECT 1 FROM trials WHERE id = $1', [trialId]);
  if (found.rows.length === 0) {
    throw new NotFoundError('trial', trialId, 'no trial has this id (findTrial resolves prefixes)');
  }
}
