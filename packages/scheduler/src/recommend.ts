import {
  findSweep,
  RECOMMENDATION_SQL,
  recommendResolutions,
  resolutionTails,
  type SearchRungRow,
  searchCost,
  searchRungs,
  sweepVariants,
  type Pool,
} from '@satfarm/db';
import { DEFAULT_TOLERANCE, type TrialConfig } from '@satfarm/contracts';
import { architectureOptionsOf, smallestProductiveResolution } from '@satfarm/models';

export { DEFAULT_TOLERANCE };

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
  /** A successive-halving sweep: what it trained against the full grid, and each rung's decision. */
  search?: SearchOutcome | undefined;
}

export interface SearchOutcome {
  rankBy: string;
  reductionFactor: number;
  /** Epochs trained by every trial of the variant (pruned ones included), and the full grid's. */
  trainedEpochs: number;
  gridEpochs: number;
  pruned: number;
  rungs: Omit<SearchRungRow, 'architecture' | 'variant'>[];
  /** Where the reasons are. */
  why: { statement: string; parameters: [string] };
}

export const SEARCH_DECISIONS_SQL =
  'SELECT rung, epoch, score, rank, decision, reason FROM search_decisions WHERE sweep_id = $1 ORDER BY rung, rank';

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
  const searched = sweep.spec.search?.strategy === 'successive-halving' ? sweep.spec.search : undefined;
  const [measured, tails, variants, rungs, costs] = await Promise.all([
    recommendResolutions(ctx.pool, sweep.id, tolerance),
    resolutionTails(ctx.pool, sweep.id),
    sweepVariants(ctx.pool, sweep.id),
    searched ? searchRungs(ctx.pool, sweep.id) : [],
    searched ? searchCost(ctx.pool, sweep.id) : [],
  ]);
  const same = (a: { architecture: string; variant: string }, b: { architecture: string; variant: string }) =>
    a.architecture === b.architecture && a.variant === b.variant;
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
      search:
        searched &&
        searchOutcome(
          searched,
          costs.find((c) => same(c, m)),
          rungs.filter((r) => same(r, m)),
          sweep.id,
        ),
    };
  });
  return { sweepId: sweep.id, recommendations };
}

function searchOutcome(
  search: { rankBy: string; reductionFactor: number },
  cost: { trainedEpochs: number; gridEpochs: number; pruned: number } | undefined,
  rungs: readonly SearchRungRow[],
  sweepId: string,
): SearchOutcome {
  return {
    rankBy: search.rankBy,
    reductionFactor: search.reductionFactor,
    trainedEpochs: cost?.trainedEpochs ?? 0,
    gridEpochs: cost?.gridEpochs ?? 0,
    pruned: cost?.pruned ?? 0,
    rungs: rungs.map(({ architecture: _a, variant: _v, ...rung }) => rung),
    why: { statement: SEARCH_DECISIONS_SQL, parameters: [sweepId] },
  };
}

function predictedResolution(config: TrialConfig): number | null {
  const { resolution: _resolution, ...shape } = architectureOptionsOf(config);
  return smallestProductiveResolution(config.architecture, shape);
}
