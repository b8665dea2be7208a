import { RANK_RULES, type RankRule } from '@satfarm/contracts';
import {
  checkTolerance,
  gridChoice,
  meanAccuracies,
  meanByResolution,
  type ResolutionAccuracy,
} from './grid.ts';
import { at, type GroupHistory, groupHistories } from './history.ts';
import type { TrialSnapshot } from './scores.ts';
import { trialScore } from './scores.ts';
import { spearman } from './spearman.ts';

/** How one rule ranks a group's resolutions after one epoch. */
export interface RuleAtEpoch {
  /** Spearman's ρ between the resolutions' scores now and their final grid accuracies. */
  spearman: number;
  /** The resolution with the highest mean score (the smaller one on a tie). */
  pickedResolution: number;
  /** The pick is the grid's recommendation. */
  same: boolean;
  /** The pick's final grid accuracy is within the tolerance of the best (a pick as good as the grid's). */
  withinTolerance: boolean;
  /** Mean score over seeds, per resolution in ascending order. */
  scores: { resolution: number; score: number }[];
}

export interface SignalEpoch {
  epoch: number;
  rules: Record<RankRule, RuleAtEpoch>;
}

export interface SignalGroup {
  group: string;
  lastEpoch: number;
  /** Mean test accuracy over seeds at the last epoch: the finished grid. */
  grid: ResolutionAccuracy[];
  /** The grid's recommendation: the smallest resolution within the tolerance of the best. */
  gridResolution: number;
  /** The resolution with the best mean final accuracy. */
  bestResolution: number;
  epochs: SignalEpoch[];
}

export interface RuleSummary {
  rule: RankRule;
  /** The first epoch from which the pick is the grid's recommendation in every group, every epoch after; null if never. */
  sameFromEpoch: number | null;
  /** The same for "the pick's final accuracy is within the tolerance of the best". */
  withinToleranceFromEpoch: number | null;
  /** Per epoch 1..last: ρ averaged over the groups, and how many groups pick the grid's resolution. */
  byEpoch: {
    epoch: number;
    meanSpearman: number;
    groupsSame: number;
    groupsWithinTolerance: number;
    groups: number;
  }[];
}

export interface SignalReport {
  tolerance: number;
  groups: SignalGroup[];
  rules: RuleSummary[];
}

/**
 * How early each rank rule orders a full grid's resolutions the way the finished grid does (issue 16).
 * Per group and epoch e, a resolution's score under a rule is the mean over its seeds of `trialScore`
 * at e; the grid's order is the mean over seeds of test accuracy at the last epoch, and the grid
 * recommends the smallest resolution within `tolerance` of the best (`recommend_resolution`). Reports
 * ρ(scores at e, final accuracies), whether the top-scoring resolution is the recommendation, and
 * whether it is at least as good (within tolerance); per rule, the first epoch from which the pick
 * stays right in every group.
 */
export function searchSignal(
  snapshots: readonly TrialSnapshot[],
  options: { tolerance: number },
): SignalReport {
  checkTolerance(options.tolerance);
  const groups = groupHistories(snapshots).map((g) => signalGroup(g, options.tolerance));
  return { tolerance: options.tolerance, groups, rules: RANK_RULES.map((rule) => summarise(rule, groups)) };
}

function signalGroup(history: GroupHistory, tolerance: number): SignalGroup {
  const { group, trials, lastEpoch } = history;
  const grid = meanAccuracies(trials.map((t) => at(t, lastEpoch)));
  const choice = gridChoice(grid, tolerance);
  const finalOf = new Map(grid.map((r) => [r.resolution, r.meanAccuracy]));
  const epochs: SignalEpoch[] = [];
  for (let epoch = 1; epoch <= lastEpoch; epoch++) {
    const snapshots = trials.map((t) => at(t, epoch));
    const entries = RANK_RULES.map((rule): [RankRule, RuleAtEpoch] => {
      const scores = meanByResolution(snapshots, (s) => trialScore(rule, s)).map((r) => ({
        resolution: r.resolution,
        score: r.mean,
      }));
      // Ascending resolution, so `>` keeps the smaller resolution on a tie.
      const picked = scores.reduce((b, s) => (s.score > b.score ? s : b), scores[0]!).resolution;
      return [
        rule,
        {
          spearman: spearman(
            scores.map((s) => s.score),
            scores.map((s) => finalOf.get(s.resolution)!),
          ),
          pickedResolution: picked,
          same: picked === choice.recommended.resolution,
          withinTolerance: finalOf.get(picked)! >= choice.best.meanAccuracy - tolerance,
          scores,
        },
      ];
    });
    epochs.push({ epoch, rules: Object.fromEntries(entries) as Record<RankRule, RuleAtEpoch> });
  }
  return {
    group,
    lastEpoch,
    grid,
    gridResolution: choice.recommended.resolution,
    bestResolution: choice.best.resolution,
    epochs,
  };
}

function summarise(rule: RankRule, groups: readonly SignalGroup[]): RuleSummary {
  const last = Math.max(0, ...groups.map((g) => g.lastEpoch));
  const byEpoch: RuleSummary['byEpoch'] = [];
  for (let epoch = 1; epoch <= last; epoch++) {
    const here = groups.flatMap((g) => {
      const e = g.epochs[epoch - 1];
      return e === undefined ? [] : [e.rules[rule]];
    });
    byEpoch.push({
      epoch,
      meanSpearman: here.length === 0 ? 0 : here.reduce((a, r) => a + r.spearman, 0) / here.length,
      groupsSame: here.filter((r) => r.same).length,
      groupsWithinTolerance: here.filter((r) => r.withinTolerance).length,
      groups: here.length,
    });
  }
  /** The first epoch from which `right` holds in every group at every later epoch it trained. */
  const stableFrom = (right: (r: RuleAtEpoch) => boolean): number | null => {
    let from: number | null = null;
    for (let epoch = last; epoch >= 1; epoch--) {
      const ok = groups.every((g) => {
        const e = g.epochs[epoch - 1];
        return e === undefined || right(e.rules[rule]);
      });
      if (!ok) break;
      from = epoch;
    }
    return from;
  };
  return {
    rule,
    sameFromEpoch: stableFrom((r) => r.same),
    withinToleranceFromEpoch: stableFrom((r) => r.withinTolerance),
    byEpoch,
  };
}
