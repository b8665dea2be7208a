import type { ProjectionSummaryRow, TrialProjectionRow } from '@satfarm/contracts';
import type { Pool } from 'pg';
import { withClient } from './connection.ts';

export interface ProjectionRow {
  architecture: string;
  variant: string;
  resolution: number;
  delta: number;
  trials: number;
  meanKeptShare: number;
  meanTestAccuracy: number;
  meanProjectedAccuracy: number;
  meanRandomAccuracy: number;
}

/** The legacy `projection_summary` view for one sweep (see projection_metrics). */
export async function projectionSummary(pool: Pool, sweepId: string): Promise<ProjectionRow[]> {
  return withClient(pool, async (client) => {
    const { rows } = await client.query<ProjectionRow>(
      `SELECT architecture, variant, resolution, delta, trials, mean_kept_share AS "meanKeptShare",
              mean_test_accuracy AS "meanTestAccuracy", mean_projected_accuracy AS "meanProjectedAccuracy",
              mean_random_accuracy AS "meanRandomAccuracy"
       FROM projection_summary WHERE sweep_id = $1 ORDER BY architecture, variant, resolution, delta`,
      [sweepId],
    );
    return rows;
  });
}

/** One row of `projection_results_summary` (declared once, in contracts). */
export type ProjectionResultRow = ProjectionSummaryRow;

/**
 * The `projection_results_summary` view for one sweep: all-layer rows first, then each layer in forward
 * order, per architecture, variant, resolution and δ.
 */
export async function projectionResults(pool: Pool, sweepId: string): Promise<ProjectionResultRow[]> {
  return withClient(pool, async (client) => {
    const { rows } = await client.query<ProjectionResultRow>(
      `SELECT architecture, variant, resolution, fit, includes_classifier AS "includesClassifier", scope,
              layer_name AS "layerName", layer_index AS "layerIndex", delta, trials,
              mean_kept_share AS "meanKeptShare", mean_test_accuracy AS "meanTestAccuracy",
              mean_projected_accuracy AS "meanProjectedAccuracy",
              std_projected_accuracy AS "stdProjectedAccuracy",
              mean_random_accuracy AS "meanRandomAccuracy",
              mean_random_accuracy_std AS "meanRandomAccuracyStd",
              min_random_accuracy AS "minRandomAccuracy", max_random_accuracy AS "maxRandomAccuracy"
       FROM projection_results_summary WHERE sweep_id = $1
       ORDER BY architecture, variant, resolution, fit, includes_classifier, scope, layer_index NULLS FIRST, delta`,
      [sweepId],
    );
    return rows;
  });
}

export interface ProductivityRow {
  architecture: string;
  variant: string;
  resolution: number;
  unproductive: boolean;
  /** Conv layer-trial pairs behind the mean. */
  layers: number;
  meanEvalSaturation: number;
}

/**
 * Mean eval saturation at the last epoch of completed trials, for conv layers predicted unproductive by
 * receptive-field analysis vs the others: the check of "Should You Go Deeper?"'s prediction.
 */
export async function saturationByProductivity(pool: Pool, sweepId: string): Promise<ProductivityRow[]> {
  return withClient(pool, async (client) => {
    const { rows } = await client.query<ProductivityRow>(
      `SELECT t.architecture, t.variant, t.resolution, lm.unproductive, count(*)::integer AS layers,
              avg(lm.saturation) AS "meanEvalSaturation"
       FROM trials t
       JOIN layer_metrics lm ON lm.trial_id = t.id AND lm.epoch = t.last_epoch AND lm.mode = 'eval'
       WHERE t.sweep_id = $1 AND t.status = 'completed' AND lm.kind = 'conv'
       GROUP BY t.architecture, t.variant, t.resolution, lm.unproductive
       ORDER BY t.architecture, t.variant, t.resolution, lm.unproductive`,
      [sweepId],
    );
    return rows;
  });
}

/** Per-trial rows for the reproduction report, which computes its own means, spreads and comparisons. */
export interface ReportTrialEpochRow {
  trialId: string;
  architecture: string;
  variant: string;
  resolution: number;
  seed: number;
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  testAccuracy: number;
  /** Training time of the epoch. */
  seconds: number;
  tailLength: number | null;
}

/** Every epoch of the completed trials of a sweep (the accuracy curves), in grid order. */
export async function reportEpochs(pool: Pool, sweepId: string): Promise<ReportTrialEpochRow[]> {
  return withClient(pool, async (client) => {
    const { rows } = await client.query<ReportTrialEpochRow>(
      `SELECT t.id AS "trialId", t.architecture, t.variant, t.resolution, t.seed, e.epoch,
              e.train_loss AS "trainLoss", e.train_accuracy AS "trainAccuracy", e.test_accuracy AS "testAccuracy",
              e.seconds, e.tail_length AS "tailLength"
       FROM trials t JOIN epoch_metrics e ON e.trial_id = t.id
       WHERE t.sweep_id = $1 AND t.status = 'completed'
       ORDER BY t.ordinal, e.epoch`,
      [sweepId],
    );
    return rows;
  });
}

export interface ReportTrialLayerRow {
  trialId: string;
  architecture: string;
  variant: string;
  resolution: number;
  seed: number;
  layerIndex: number;
  layerName: string;
  kind: string;
  width: number;
  receptiveField: number;
  unproductive: boolean;
  evalSaturation: number;
  trainSaturation: number | null;
}

/** Every tracked layer of the completed trials of a sweep at each trial's last epoch: eval (and train) saturation. */
export async function reportLayers(pool: Pool, sweepId: string): Promise<ReportTrialLayerRow[]> {
  return withClient(pool, async (client) => {
    const { rows } = await client.query<ReportTrialLayerRow>(
      `SELECT t.id AS "trialId", t.architecture, t.variant, t.resolution, t.seed, ev.layer_index AS "layerIndex",
              ev.layer_name AS "layerName", ev.kind, ev.width, ev.receptive_field AS "receptiveField",
              ev.unproductive, ev.saturation AS "evalSaturation", tr.saturation AS "trainSaturation"
       FROM trials t
       JOIN layer_metrics ev ON ev.trial_id = t.id AND ev.epoch = t.last_epoch AND ev.mode = 'eval'
       LEFT JOIN layer_metrics tr
         ON tr.trial_id = t.id AND tr.epoch = t.last_epoch AND tr.mode = 'train' AND tr.layer_index = ev.layer_index
       WHERE t.sweep_id = $1 AND t.status = 'completed'
       ORDER BY t.ordinal, ev.layer_index`,
      [sweepId],
    );
    return rows;
  });
}

/** Declared in contracts, where `@satfarm/report` takes it from too. */
export type ReportTrialProjectionRow = TrialProjectionRow;

/** Every `projection_results` row of the completed trials of a sweep, with the trial's unprojected accuracy. */
export async function reportProjections(pool: Pool, sweepId: string): Promise<ReportTrialProjectionRow[]> {
  return withClient(pool, async (client) => {
    const { rows } = await client.query<ReportTrialProjectionRow>(
      `SELECT t.id AS "trialId", t.architecture, t.variant, t.resolution, t.seed, p.fit,
              p.includes_classifier AS "includesClassifier", p.scope, p.layer_name AS "layerName",
              p.layer_index AS "layerIndex", p.delta, p.k, p.width, t.final_test_accuracy AS "testAccuracy",
              p.accuracy, p.random_accuracies AS "randomAccuracies"
       FROM trials t JOIN projection_results p ON p.trial_id = t.id
       WHERE t.sweep_id = $1 AND t.status = 'completed'
       ORDER BY t.ordinal, p.fit, p.includes_classifier, p.delta, p.layer_index NULLS FIRST`,
      [sweepId],
    );
    return rows;
  });
}

export interface ReportTrialTimeRow {
  trialId: string;
  status: string;
  attempts: number;
  /** From the newest attempt's start to its end: training, evaluation and the projection test. */
  wallSeconds: number | null;
}

/** When each trial of a sweep ran (its newest attempt). */
export async function reportTrialTimes(pool: Pool, sweepId: string): Promise<ReportTrialTimeRow[]> {
  return withClient(pool, async (client) => {
    const { rows } = await client.query<ReportTrialTimeRow>(
      `SELECT id AS "trialId", status, attempts,
              extract(epoch FROM finished_at - started_at)::double precision AS "wallSeconds"
       FROM trials WHERE sweep_id = $1 ORDER BY ordinal`,
      [sweepId],
    );
    return rows;
  });
}
