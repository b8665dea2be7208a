import { type RankRule, rungEpochs as contractRungEpochs } from '@satfarm/contracts';
import { InvalidSearchInputError } from './errors.ts';
import { type TrialSnapshot, trialScore } from './scores.ts';

export interface RungOptions {
  /** Epochs every trial trains before the first decision: an integer >= 1. */
  minEpochs: number;
  /** η: each rung keeps the best 1/η of the trials still in the race; an integer >= 2. */
  reductionFactor: number;
}

/**
 * The epochs at which successive halving decides: minEpochs·η^k strictly below `epochs`, increasing
 * (at `epochs` the race is over and the survivors complete). Empty when minEpochs >= epochs. The
 * sequence itself is the one the sweep spec's schedule uses (`rungEpochs` of @satfarm/contracts);
 * this checks the options first, so a zero or fractional value cannot loop forever.
 */
export function rungEpochs(options: RungOptions, epochs: number): number[] {
  checkRungOptions(options);
  if (!(Number.isInteger(epochs) && epochs >= 1)) {
    throw new InvalidSearchInputError('epochs', epochs, 'an integer >= 1');
  }
  return contractRungEpochs(options, epochs);
}

export function checkRungOptions(options: RungOptions): void {
  if (!(Number.isInteger(options.minEpochs) && options.minEpochs >= 1)) {
    throw new InvalidSearchInputError('minEpochs', options.minEpochs, 'an integer >= 1');
  }
  checkReductionFactor(options.reductionFactor);
}

function checkReductionFactor(reductionFactor: number): void {
  if (!(Number.isInteger(reductionFactor) && reductionFactor >= 2)) {
    throw new InvalidSearchInputError('reductionFactor', reductionFactor, 'an integer >= 2');
  }
}

export interface RungDecision {
  trialId: string;
  score: number;
  /** 1 = best. */
  rank: number;
  promoted: boolean;
  /** A sentence for people, e.g. "rank 7 of 12 by accuracy at epoch 2 (score 0.8123); the best 6 continue". */
  reason: string;
}

/**
 * One rung of successive halving: scores every candidate (all at `epoch`) under `rule`, ranks them and
 * promotes the best max(1, ⌊n/η⌋). The order is total, so the decision never depends on the order the
 * results arrived in: score descending, then the smaller resolution (the cheaper trial wins a tie, as
 * the grid recommendation prefers the smaller resolution), then the smaller seed, then the trial id.
 * Returns one decision per candidate, best first.
 */
export function decideRung(input: {
  rule: RankRule;
  reductionFactor: number;
  epoch: number;
  candidates: readonly TrialSnapshot[];
}): RungDecision[] {
  const { rule, reductionFactor, epoch, candidates } = input;
  checkReductionFactor(reductionFactor);
  const seen = new Set<string>();
  for (const c of candidates) {
    if (c.epoch !== epoch) {
      throw new InvalidSearchInputError(
        `epoch of candidate ${c.trialId}`,
        c.epoch,
        `the rung's epoch ${epoch}`,
      );
    }
    if (seen.has(c.trialId)) {
      throw new InvalidSearchInputError('candidates', c.trialId, 'each trial at most once');
    }
    seen.add(c.trialId);
  }
  const scored = candidates.map((snapshot) => ({ snapshot, score: trialScore(rule, snapshot) }));
  scored.sort(
    (a, b) =>
      b.score - a.score ||
      a.snapshot.resolution - b.snapshot.resolution ||
      a.snapshot.seed - b.snapshot.seed ||
      compareText(a.snapshot.trialId, b.snapshot.trialId),
  );
  const n = scored.length;
  const keep = Math.max(1, Math.floor(n / reductionFactor));
  const continuing = keep === 1 ? 'only the best continues' : `the best ${keep} continue`;
  return scored.map(({ snapshot, score }, index) => ({
    trialId: snapshot.trialId,
    score,
    rank: index + 1,
    promoted: index < keep,
    reason: `rank ${index + 1} of ${n} by ${rule} at epoch ${epoch} (score ${score.toFixed(4)}); ${continuing}`,
  }));
}

/** Code-unit order, the same in every locale (localeCompare is not). */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
