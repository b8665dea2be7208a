import type { RankRule } from '@satfarm/contracts';
import { networkTailLength } from '@satfarm/saturation';
import { InvalidSearchInputError } from './errors.ts';

/** One trial after one epoch. */
export interface TrialSnapshot {
  trialId: string;
  /** Architecture + variant label; resolutions compete within a group. */
  group: string;
  resolution: number;
  seed: number;
  epoch: number;
  /** 0..1 */
  testAccuracy: number;
  /** Eval saturation (0..1) of each tracked layer in forward order, the classifier LAST. */
  layerSaturations: number[];
}

/** What the saturation rules read from a snapshot: the layers before the classifier. */
export interface SaturationPattern {
  /** Trailing feature layers far below the network's median saturation (`networkTailLength`). */
  tail: number;
  /** Mean eval saturation of the feature layers (the classifier excluded); 0 when there are none. */
  meanSaturation: number;
  /** Tracked layers before the classifier. */
  featureLayers: number;
}

/**
 * The tail and mean saturation of a snapshot's feature layers. The classifier is left out of both,
 * as `networkTailLength` does: its k is bounded by the number of classes, so its saturation says how
 * many classes it separates, not whether the resolution lets the layers before it work.
 */
export function saturationPattern(snapshot: TrialSnapshot): SaturationPattern {
  checkSnapshot(snapshot);
  const layers = snapshot.layerSaturations.map((saturation, index) => ({ name: String(index), saturation }));
  const features = snapshot.layerSaturations.slice(0, -1);
  return {
    tail: networkTailLength(layers, String(layers.length - 1)),
    meanSaturation: features.length === 0 ? 0 : features.reduce((a, b) => a + b, 0) / features.length,
    featureLayers: features.length,
  };
}

/**
 * The score of one trial at one epoch under a rank rule; higher is better. Fixed before any sweep was
 * looked at (issue 16), so the measurement in `searchSignal` tests these formulas rather than fits them.
 *
 * - `accuracy` = test accuracy. What Optuna's and Ray Tune's pruners rank by; the baseline every other
 *   rule has to beat.
 * - `saturation` = −tail + mean saturation of the feature layers. The saturation papers read a tail of
 *   low-saturation layers at the end of the network as the sign of an input too small for the
 *   architecture (those layers add cost but little accuracy), and a well-chosen input as one that
 *   spreads the work over the layers. The tail is an integer and the mean lies in [0, 1], so the tail
 *   decides and the mean only breaks ties between equal tails. No accuracy enters: this rule asks
 *   whether the saturation pattern alone ranks resolutions.
 * - `combined` = test accuracy × (1 − tail / L), L = the number of feature layers (the classifier
 *   excluded; the score is the accuracy when L = 0). The tail's layers are taken at the papers' word as
 *   dead weight: a resolution that leaves a share of the network in the tail has its accuracy
 *   discounted by that share. No free parameter, comparable across depths, and identical to
 *   `accuracy` whenever no trial shows a tail, so it can only differ from accuracy where saturation
 *   says something.
 */
export function trialScore(rule: RankRule, snapshot: TrialSnapshot): number {
  const pattern = saturationPattern(snapshot);
  switch (rule) {
    case 'accuracy':
      return snapshot.testAccuracy;
    case 'saturation':
      return -pattern.tail + pattern.meanSaturation;
    case 'combined':
      return pattern.featureLayers === 0
        ? snapshot.testAccuracy
        : snapshot.testAccuracy * (1 - pattern.tail / pattern.featureLayers);
    default:
      throw new InvalidSearchInputError('rule', rule, "'accuracy', 'saturation' or 'combined'");
  }
}

/** Throws InvalidSearchInputError unless the snapshot can be scored. */
export function checkSnapshot(snapshot: TrialSnapshot): void {
  const where = `trial ${snapshot.trialId} epoch ${snapshot.epoch}`;
  if (!(snapshot.testAccuracy >= 0 && snapshot.testAccuracy <= 1)) {
    throw new InvalidSearchInputError(
      `testAccuracy of ${where}`,
      snapshot.testAccuracy,
      'a number in [0, 1]',
    );
  }
  if (snapshot.layerSaturations.length === 0) {
    throw new InvalidSearchInputError(
      `layerSaturations of ${where}`,
      '[]',
      'at least one tracked layer (the classifier, last)',
    );
  }
  for (const s of snapshot.layerSaturations) {
    if (!(s >= 0 && s <= 1)) {
      throw new InvalidSearchInputError(`layerSaturations of ${where}`, s, 'numbers in [0, 1]');
    }
  }
  if (!(Number.isInteger(snapshot.epoch) && snapshot.epoch >= 1)) {
    throw new InvalidSearchInputError(
      `epoch of trial ${snapshot.trialId}`,
      snapshot.epoch,
      'an integer >= 1',
    );
  }
}
