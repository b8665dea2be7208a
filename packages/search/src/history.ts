import { InvalidSearchInputError } from './errors.ts';
import { checkSnapshot, type TrialSnapshot } from './scores.ts';

/** Every epoch of one trial, epoch e at index e − 1. */
export interface TrialHistory {
  trialId: string;
  group: string;
  resolution: number;
  seed: number;
  epochs: TrialSnapshot[];
}

/** The trials of one group (architecture + variant), by resolution, seed and id. */
export interface GroupHistory {
  group: string;
  trials: TrialHistory[];
  /** The epoch every trial of the group reached (a grid trains them all alike). */
  lastEpoch: number;
}

/**
 * Full-grid histories from loose snapshots, grouped and checked: each trial keeps one group,
 * resolution and seed, has each epoch once and every epoch from 1 to its last, and every trial of a
 * group ends at the same epoch. Groups come in name order.
 */
export function groupHistories(snapshots: readonly TrialSnapshot[]): GroupHistory[] {
  const trials = new Map<string, TrialHistory>();
  for (const s of snapshots) {
    checkSnapshot(s);
    let trial = trials.get(s.trialId);
    if (trial === undefined) {
      trial = { trialId: s.trialId, group: s.group, resolution: s.resolution, seed: s.seed, epochs: [] };
      trials.set(s.trialId, trial);
    } else if (trial.group !== s.group || trial.resolution !== s.resolution || trial.seed !== s.seed) {
      throw new InvalidSearchInputError(
        `snapshots of trial ${s.trialId}`,
        `${s.group} ${s.resolution} px seed ${s.seed}`,
        `the group, resolution and seed of its other epochs (${trial.group} ${trial.resolution} px seed ${trial.seed})`,
      );
    }
    if (trial.epochs[s.epoch - 1] !== undefined) {
      throw new InvalidSearchInputError(`epoch of trial ${s.trialId}`, s.epoch, 'each epoch once');
    }
    trial.epochs[s.epoch - 1] = s;
  }
  const groups = new Map<string, TrialHistory[]>();
  for (const trial of trials.values()) {
    const missing = Array.from(trial.epochs, (e, i) => (e === undefined ? i + 1 : 0)).find((e) => e > 0);
    if (missing !== undefined) {
      throw new InvalidSearchInputError(
        `epochs of trial ${trial.trialId}`,
        `a gap at epoch ${missing}`,
        `every epoch from 1 to its last (${trial.epochs.length})`,
      );
    }
    groups.set(trial.group, [...(groups.get(trial.group) ?? []), trial]);
  }
  return [...groups]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([group, list]) => {
      list.sort(
        (a, b) =>
          a.resolution - b.resolution ||
          a.seed - b.seed ||
          (a.trialId < b.trialId ? -1 : a.trialId > b.trialId ? 1 : 0),
      );
      const lastEpoch = list[0]!.epochs.length;
      const short = list.find((t) => t.epochs.length !== lastEpoch);
      if (short !== undefined) {
        throw new InvalidSearchInputError(
          `epochs of trial ${short.trialId}`,
          short.epochs.length,
          `the same number as the other trials of group ${group} (${lastEpoch})`,
        );
      }
      return { group, trials: list, lastEpoch };
    });
}

/** A trial's snapshot at `epoch` (which the checks above guarantee exists up to lastEpoch). */
export function at(trial: TrialHistory, epoch: number): TrialSnapshot {
  const snapshot = trial.epochs[epoch - 1];
  if (snapshot === undefined) {
    throw new InvalidSearchInputError(
      `epoch of trial ${trial.trialId}`,
      epoch,
      `an epoch it trained (1 to ${trial.epochs.length})`,
    );
  }
  return snapshot;
}
