import type { TrialSnapshot } from './scores.ts';

/**
 * A small full grid whose answers are known, for the tests of searchSignal and replaySearch (not
 * exported by the package). Two groups × resolutions 10, 14, 20, 28 × seeds 1, 2 × 4 epochs. Test
 * accuracy is given per resolution and epoch in thousandths; seed 1 adds 10, seed 2 subtracts 10, so
 * the mean over seeds is the given value exactly and equal values are equal floats.
 *
 * Group A: 28 px learns fastest (epoch 1), 20 px leads from epoch 2 and finishes best; 28 px ends
 * 1 point behind, outside the 0.5-point tolerance, so the grid recommends 20. 10 px shows a saturation
 * tail of 2 layers, 14 px of 1; 28 px has the higher mean saturation in epochs 1–2, 20 px from epoch 3.
 *
 * Group B: no tails. 28 px finishes best (85.6%) but 14 px (85.3%) is the smallest within half a
 * point, so the grid recommends 14 and the finished argmax (28) is only "within tolerance". By
 * accuracy 20 leads at epoch 1, 14 at epochs 2–3, 28 at 4; 28 has the highest mean saturation always.
 */
export const GRID: Record<string, Record<number, { accuracy: number[]; saturations: number[][] }>> = {
  A: {
    10: { accuracy: [600, 700, 760, 800], saturations: repeat([0.6, 0.6, 0.15, 0.1, 0.5]) },
    14: { accuracy: [620, 740, 800, 840], saturations: repeat([0.6, 0.6, 0.5, 0.1, 0.5]) },
    20: { accuracy: [610, 780, 840, 870], saturations: [even(0.5), even(0.5), even(0.7), even(0.7)] },
    28: { accuracy: [650, 760, 830, 860], saturations: [even(0.6), even(0.6), even(0.55), even(0.55)] },
  },
  B: {
    10: { accuracy: [700, 780, 820, 850], saturations: repeat(even(0.5)) },
    14: { accuracy: [720, 800, 845, 853], saturations: repeat(even(0.55)) },
    20: { accuracy: [730, 790, 840, 855], saturations: repeat(even(0.6)) },
    28: { accuracy: [690, 770, 835, 856], saturations: repeat(even(0.65)) },
  },
};

export const SEEDS = [1, 2];

/** The snapshots of the given groups of GRID (trial ids like `A-20-s1`), in a scrambled order. */
export function gridSnapshots(groups: readonly string[] = Object.keys(GRID)): TrialSnapshot[] {
  const out: TrialSnapshot[] = [];
  for (const group of groups) {
    for (const [resolution, { accuracy, saturations }] of Object.entries(GRID[group]!)) {
      for (const seed of SEEDS) {
        accuracy.forEach((thousandths, i) => {
          out.push({
            trialId: `${group}-${resolution}-s${seed}`,
            group,
            resolution: Number(resolution),
            seed,
            epoch: i + 1,
            testAccuracy: (thousandths + (seed === 1 ? 10 : -10)) / 1000,
            layerSaturations: saturations[i]!,
          });
        });
      }
    }
  }
  // Input order must not matter: interleave from both ends.
  return out.map((_, i) => out[i % 2 === 0 ? i / 2 : out.length - 1 - (i - 1) / 2]!);
}

function even(level: number): number[] {
  return [level, level, level, level, 0.5];
}

function repeat(saturations: number[]): number[][] {
  return [saturations, saturations, saturations, saturations];
}
