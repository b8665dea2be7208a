import type { RankRule } from '@satfarm/contracts';
import { InvalidSearchInputError } from './errors.ts';
import { checkTolerance, gridChoice, meanAccuracies } from './grid.ts';
import { at, type GroupHistory, groupHistories, type TrialHistory } from './history.ts';
import { checkRungOptions, decideRung, type RungDecision, rungEpochs } from './rungs.ts';
import type { TrialSnapshot } from './scores.ts';

export interface ReplayOptions {
  rule: RankRule;
  minEpochs: number;
  reductionFactor: number;
  /** Epochs of the search (and of the grid it is compared with); every history must reach it. */
  epochs: number;
  tolerance: number;
}

export interface ReplayRung {
  epoch: number;
  /** One per trial still in the race, best first. */
  decisions: (RungDecision & { resolution: number; seed: number })[];
}

export interface ReplayGroup {
  group: string;
  rungs: ReplayRung[];
  /** The trials that trained every epoch. */
  survivors: { trialId: string; resolution: number; seed: number }[];
  /** The grid rule applied to the survivors' accuracies at the last epoch. */
  pickedResolution: number;
  /** The full grid's recommendation at the same epoch. */
  gridResolution: number;
  same: boolean;
  /** The pick's full-grid mean accuracy is within the tolerance of the grid's best. */
  withinTolerance: boolean;
  pickedMeanAccuracy: number;
  bestMeanAccuracy: number;
  /** Epochs the search trained, summed over trials, and what the full grid trains (trials × epochs). */
  epochsTrained: number;
  gridEpochs: number;
}

export interface ReplayReport extends ReplayOptions {
  rungEpochs: number[];
  groups: ReplayGroup[];
  totals: {
    groups: number;
    same: number;
    withinTolerance: number;
    epochsTrained: number;
    gridEpochs: number;
    /** epochsTrained / gridEpochs (0 for no groups). */
    share: number;
  };
}

/**
 * Successive halving replayed on full-grid histories, per group: every trial starts; at each rung
 * epoch `decideRung` keeps the best max(1, ⌊n/η⌋) of the trials still in the race; the survivors of the
 * last rung train to `epochs`. The pick is the grid rule (smallest resolution within `tolerance` of the
 * best mean accuracy) over the survivors at `epochs`, compared with the same rule over every trial.
 * A stopped trial counts the epochs up to its last rung. Nothing here knows the future: each rung reads
 * the snapshots of its own epoch only, as the live search would.
 */
export function replaySearch(snapshots: readonly TrialSnapshot[], options: ReplayOptions): ReplayReport {
  checkRungOptions(options);
  checkTolerance(options.tolerance);
  const rungs = rungEpochs(options, options.epochs);
  const groups = groupHistories(snapshots).map((g) => replayGroup(g, rungs, options));
  const epochsTrained = groups.reduce((a, g) => a + g.epochsTrained, 0);
  const gridEpochs = groups.reduce((a, g) => a + g.gridEpochs, 0);
  return {
    ...options,
    rungEpochs: rungs,
    groups,
    totals: {
      groups: groups.length,
      same: groups.filter((g) => g.same).length,
      withinTolerance: groups.filter((g) => g.withinTolerance).length,
      epochsTrained,
      gridEpochs,
      share: gridEpochs === 0 ? 0 : epochsTrained / gridEpochs,
    },
  };
}

function replayGroup(history: GroupHistory, rungs: readonly number[], options: ReplayOptions): ReplayGroup {
  const { group, trials, lastEpoch } = history;
  if (options.epochs > lastEpoch) {
    throw new InvalidSearchInputError(
      'epochs',
      options.epochs,
      `at most the epochs group ${group} trained (${lastEpoch})`,
    );
  }
  let racing: TrialHistory[] = trials;
  let epochsTrained = 0;
  const replayed: ReplayRung[] = [];
  for (const epoch of rungs) {
    const byId = new Map(racing.map((t) => [t.trialId, t]));
    const decisions = decideRung({
      rule: options.rule,
      reductionFactor: options.reductionFactor,
      epoch,
      candidates: racing.map((t) => at(t, epoch)),
    });
    const stopped = decisions.filter((d) => !d.promoted).length;
    epochsTrained += stopped * epoch;
    racing = decisions.filter((d) => d.promoted).map((d) => byId.get(d.trialId)!);
    replayed.push({
      epoch,
      decisions: decisions.map((d) => {
        const t = byId.get(d.trialId)!;
        return { ...d, resolution: t.resolution, seed: t.seed };
      }),
    });
  }
  epochsTrained += racing.length * options.epochs;
  const full = meanAccuracies(trials.map((t) => at(t, options.epochs)));
  const grid = gridChoice(full, options.tolerance);
  const picked = gridChoice(meanAccuracies(racing.map((t) => at(t, options.epochs))), options.tolerance)
    .recommended.resolution;
  const pickedMeanAccuracy = full.find((r) => r.resolution === picked)!.meanAccuracy;
  return {
    group,
    rungs: replayed,
    survivors: racing.map((t) => ({ trialId: t.trialId, resolution: t.resolution, seed: t.seed })),
    pickedResolution: picked,
    gridResolution: grid.recommended.resolution,
    same: picked === grid.recommended.resolution,
    withinTolerance: pickedMeanAccuracy >= grid.best.meanAccuracy - options.tolerance,
    pickedMeanAccuracy,
    bestMeanAccuracy: grid.best.meanAccuracy,
    epochsTrained,
    gridEpochs: trials.length * options.epochs,
  };
}
