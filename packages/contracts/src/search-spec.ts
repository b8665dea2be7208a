import { z } from 'zod';

/**
 * Half an accuracy point: how far below the best mean accuracy a resolution may lie and still be
 * recommended (the smallest such one is), in `satfarm best`, the search and the search signal.
 * Differences below it are within seed noise for the sweeps satfarm runs. (The SQL function
 * `recommend_resolution` has the same default, written in its migration.)
 */
export const DEFAULT_TOLERANCE = 0.005;

/**
 * How a trial is scored at a rung: `accuracy` (test accuracy, what Optuna's and Ray Tune's pruners
 * use), `saturation` (the saturation pattern alone: the tail of low-saturation layers and how evenly the
 * work is spread) or `combined` (accuracy discounted by the share of layers in the tail). The scores
 * are defined in @satfarm/search. `combined` is the default because the measurement in the README
 * ("Resolution search") found it picking the full grid's resolution where accuracy alone did not, while
 * it ranks by accuracy wherever no layer is in a tail.
 */
export const RANK_RULES = ['accuracy', 'saturation', 'combined'] as const;
export const RankRule = z.enum(RANK_RULES);
export type RankRule = z.infer<typeof RankRule>;

/** Train every trial of the grid for every epoch (the default). */
export const GridSearch = z.object({ strategy: z.literal('grid') }).strict();

/**
 * Successive halving over the grid, per architecture variant: every trial trains `minEpochs`, then at
 * each rung (epochs minEpochs·η^k below the spec's epochs) the best 1/η of the trials still in the
 * race, ranked by `rankBy`, go on and the others stop (`pruned`, rows kept); the survivors of the last
 * rung train every epoch. Decisions are taken by the aggregator as results arrive.
 */
export const SuccessiveHalving = z
  .object({
    strategy: z.literal('successive-halving'),
    /** Epochs every trial trains before the first decision. */
    minEpochs: z.number().int().min(1).max(10_000).default(1),
    /** η: each rung keeps the best 1/η of the trials still in the race (at least one). */
    reductionFactor: z.number().int().min(2).max(16).default(2),
    rankBy: RankRule.default('combined'),
  })
  .strict();
export type SuccessiveHalving = z.infer<typeof SuccessiveHalving>;

export const SearchSpec = z.discriminatedUnion('strategy', [GridSearch, SuccessiveHalving]);
export type SearchSpec = z.infer<typeof SearchSpec>;

/**
 * The epochs at which a successive-halving search decides: minEpochs·η^k, strictly below `epochs`
 * (at `epochs` the race is over: the survivors complete). Empty when minEpochs ≥ epochs.
 */
export function rungEpochs(
  search: Pick<SuccessiveHalving, 'minEpochs' | 'reductionFactor'>,
  epochs: number,
): number[] {
  if (!(Number.isInteger(search.minEpochs) && search.minEpochs >= 1 && search.reductionFactor >= 2)) {
    throw new RangeError(
      `rungs need minEpochs ≥ 1 and reductionFactor ≥ 2, got ${search.minEpochs} and ${search.reductionFactor}`,
    );
  }
  const rungs: number[] = [];
  for (let epoch = search.minEpochs; epoch < epochs; epoch *= search.reductionFactor) rungs.push(epoch);
  return rungs;
}

/**
 * The epoch a trial trains to at stage `rung` (0 = before the first decision): the rung's epoch, or
 * every epoch once the trial survived the last rung (and always, for a grid sweep).
 */
export function epochBudget(search: SearchSpec | undefined, epochs: number, rung: number): number {
  if (search === undefined || search.strategy === 'grid') return epochs;
  return rungEpochs(search, epochs)[rung] ?? epochs;
}

/**
 * The epochs a successive-halving search trains in one architecture variant of `trials` trials when
 * none fails: all of them up to the first rung, then the best max(1, ⌊n/η⌋) of the n still in the race
 * from each rung to the next, the last survivors to every epoch. (A grid trains trials × epochs.)
 */
export function plannedSearchEpochs(search: SearchSpec | undefined, epochs: number, trials: number): number {
  if (search === undefined || search.strategy === 'grid') return trials * epochs;
  let inRace = trials;
  let total = 0;
  let from = 0;
  for (const rung of [...rungEpochs(search, epochs), epochs]) {
    total += inRace * (rung - from);
    from = rung;
    inRace = Math.max(1, Math.floor(inRace / search.reductionFactor));
  }
  return total;
}
