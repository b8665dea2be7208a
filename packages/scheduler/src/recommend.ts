import {
  findSweep,
  RECOMMENDATION_SQL,
  recommendResolutions,
  resolutionTails,
  sweepVariants,
  type Pool,
} from '@satfarm/db';
import type { TrialConfig } from '@satfarm/contracts';
import { architectureOptionsOf, smallestProductiveResolution } from '@satfarm/models';

/** Half an accuracy point: differences below it are within seed noise for the sweeps satfarm runs. */
export const DEFAULT_TOLERANCE = 0.005;

export interface Recommendation {
  architecture: string;
  variant: string;
  /** Best mean test accuracy over seeds (the measured optimum). */
  resolution: number;
  meanTestAccuracy: number;
  std: number | null;
  seeds: number;
  /** The smallest resolution whose mean accuracy is within `tolerance` of the best: the one to use. */
  cheapestResolution: number;
  cheapestMeanTestAccuracy: number;
  tolerance: number;
  /** Smallest resolution with no conv layer predicted unproductive, from the architecture alone. */
  rfPredictedResolution: number | null;
  /** The smallest tried resolution at or above that prediction (the largest tried when none is). */
  rfPredictedTriedResolution: number | null;
  /** Mean saturation-tail length at the last epoch, per tried resolution. */
  tailLengths: { resolution: number; meanTailLength: number | null }[];
  /** Measurement (cheapest within tolerance) and prediction (rfPredictedTriedResolution) name the same resolution. */
  agree: boolean;
  /** How to reproduce the measured part of the decision. */
  sql: { statement: string; parameters: [string, number] };
}

/**
 * Per architecture (variant) of a sweep: the measured recommendation from PostgreSQL
 * (`recommend_resolution`) next to what receptive-field analysis predicted before training, and the
 * tail length at each resolution. Pure combination; every number comes from the database or the
 * architecture definition, so running it again gives the same answer.
 */
export async function recommendResolution(ctx: {
  pool: Pool;
  sweep: string;
  tolerance?: number;
}): Promise<{ sweepId: string; recommendations: Recommendation[] }> {
  const tolerance = ctx.tolerance ?? DEFAULT_TOLERANCE;
  const sweep = await findSweep(ctx.pool, ctx.sweep);
  const [measured, tails, variants] = await Promise.all([
    recommendResolutions(ctx.pool, sweep.id, tolerance),
    resolutionTails(ctx.pool, sweep.id),
    sweepVariants(ctx.pool, sweep.id),
  ]);
  const recommendations = measured.map((m) => {
    const variant = variants.find((v) => v.architecture === m.architecture && v.variant === m.variant);
    const predicted = variant ? predictedResolution(variant.config) : null;
    const tried = variant?.resolutions ?? [];
    const predictedTried =
      predicted === null ? null : (tried.find((r) => r >= predicted) ?? tried.at(-1) ?? null);
    return {
      architecture: m.architecture,
      variant: m.variant,
      resolution: m.bestResolution,
      meanTestAccuracy: m.bestMeanTestAccuracy,
      std: m.bestStd,
      seeds: m.seeds,
      cheapestResolution: m.cheapestResolution,
      cheapestMeanTestAccuracy: m.cheapestMeanTestAccuracy,
      tolerance,
      rfPredictedResolution: predicted,
      rfPredictedTriedResolution: predictedTried,
      tailLengths: tails
        .filter((t) => t.architecture === m.architecture && t.variant === m.variant)
        .map((t) => ({ resolution: t.resolution, meanTailLength: t.meanTailLength })),
      agree: predictedTried === m.cheapestResolution,
      sql: { statement: RECOMMENDATION_SQL, parameters: [sweep.id, tolerance] as [string, number] },
    };
  });
  return { sweepId: sweep.id, recommendations };
}

function predictedResolution(config: TrialConfig): number | null {
  const { resolution: _resolution, ...shape } = architectureOptionsOf(config);
  return smallestProductiveResolution(config.architecture, shape);
}
