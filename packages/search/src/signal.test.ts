import { describe, expect, it } from 'vitest';
import { searchSignal } from './signal.ts';
import { gridSnapshots } from './testing.ts';

const TOLERANCE = 0.005;

describe('searchSignal', () => {
  it("takes the finished grid's mean accuracies and recommends like recommend_resolution", () => {
    const report = searchSignal(gridSnapshots(), { tolerance: TOLERANCE });
    expect(report.groups.map((g) => g.group)).toEqual(['A', 'B']);
    const [a, b] = report.groups;
    expect(a!.lastEpoch).toBe(4);
    expect(a!.grid.map((r) => [r.resolution, r.seeds])).toEqual([
      [10, 2],
      [14, 2],
      [20, 2],
      [28, 2],
    ]);
    expect(a!.grid.map((r) => r.meanAccuracy)).toEqual(
      [0.8, 0.84, 0.87, 0.86].map((x) => expect.closeTo(x, 12)),
    );
    expect(a!.gridResolution).toBe(20);
    // B: 28 is best, 14 the smallest within half a point of it.
    expect(b!.bestResolution).toBe(28);
    expect(b!.gridResolution).toBe(14);
    // With a tolerance of 0, the best is the recommendation.
    expect(searchSignal(gridSnapshots(['B']), { tolerance: 0 }).groups[0]!.gridResolution).toBe(28);
  });

  it('scores each resolution as the mean over seeds and correlates with the final accuracies', () => {
    const [a] = searchSignal(gridSnapshots(['A']), { tolerance: TOLERANCE }).groups;
    const e1 = a!.epochs[0]!.rules.accuracy;
    expect(e1.scores).toEqual(
      [0.6, 0.62, 0.61, 0.65].map((score, i) => ({
        resolution: [10, 14, 20, 28][i],
        score: expect.closeTo(score, 12),
      })),
    );
    // ranks of scores [1, 3, 2, 4] against final [1, 2, 4, 3]: Σd² = 6 → 1 − 36/60
    expect(e1.spearman).toBeCloseTo(0.4, 12);
    expect(a!.epochs[1]!.rules.accuracy.spearman).toBeCloseTo(1, 12);
    // saturation at epoch 3: −2 + 0.3625, −1 + 0.45, 0.7, 0.55 → same order as the grid
    expect(a!.epochs[2]!.rules.saturation.scores.map((s) => s.score)).toEqual(
      [-1.6375, -0.55, 0.7, 0.55].map((x) => expect.closeTo(x, 12)),
    );
    expect(a!.epochs[2]!.rules.saturation.spearman).toBeCloseTo(1, 12);
  });

  it('picks the top-scoring resolution and says whether it is the grid’s, or as good', () => {
    const [a, b] = searchSignal(gridSnapshots(), { tolerance: TOLERANCE }).groups;
    const picks = (g: typeof a, rule: 'accuracy' | 'saturation' | 'combined') =>
      g!.epochs.map((e) => {
        const r = e.rules[rule];
        return `${r.pickedResolution}${r.same ? '✓' : r.withinTolerance ? '≈' : '✗'}`;
      });
    expect(picks(a, 'accuracy')).toEqual(['28✗', '20✓', '20✓', '20✓']);
    expect(picks(a, 'saturation')).toEqual(['28✗', '28✗', '20✓', '20✓']);
    // combined at epoch 1: 10 → 0.6·(1 − 2/4), 14 → 0.62·(1 − 1/4), 20 → 0.61, 28 → 0.65
    expect(picks(a, 'combined')).toEqual(['28✗', '20✓', '20✓', '20✓']);
    // B: the finished argmax (28) is not the recommendation (14), only within tolerance of the best.
    expect(picks(b, 'accuracy')).toEqual(['20≈', '14✓', '14✓', '28≈']);
    expect(picks(b, 'saturation')).toEqual(['28≈', '28≈', '28≈', '28≈']);
    expect(picks(b, 'combined')).toEqual(picks(b, 'accuracy')); // no tails: combined is accuracy
  });

  it('picks the smaller resolution when two score the same', () => {
    const twins = gridSnapshots(['A'])
      .filter((s) => s.resolution === 14 || s.resolution === 28)
      .map((s) => (s.resolution === 28 ? { ...s, layerSaturations: [0.6, 0.6, 0.5, 0.1, 0.5] } : s));
    const [a] = searchSignal(twins, { tolerance: TOLERANCE }).groups;
    expect(a!.epochs.map((e) => e.rules.saturation.pickedResolution)).toEqual([14, 14, 14, 14]);
  });

  it('names per rule the first epoch from which the pick stays right in every group', () => {
    const only = (groups: string[]) =>
      Object.fromEntries(
        searchSignal(gridSnapshots(groups), { tolerance: TOLERANCE }).rules.map((r) => [
          r.rule,
          [r.sameFromEpoch, r.withinToleranceFromEpoch],
        ]),
      );
    expect(only(['A'])).toEqual({ accuracy: [2, 2], saturation: [3, 3], combined: [2, 2] });
    // B's accuracy pick is the grid's at epochs 2–3 but not at 4: "stays right" never holds.
    expect(only(['B'])).toEqual({ accuracy: [null, 1], saturation: [null, 1], combined: [null, 1] });
    expect(only(['A', 'B'])).toEqual({ accuracy: [null, 2], saturation: [null, 3], combined: [null, 2] });
  });

  it('averages ρ over groups and counts the groups that pick right, per epoch', () => {
    const report = searchSignal(gridSnapshots(), { tolerance: TOLERANCE });
    const accuracy = report.rules.find((r) => r.rule === 'accuracy')!;
    expect(accuracy.byEpoch.map((e) => [e.epoch, e.groupsSame, e.groupsWithinTolerance, e.groups])).toEqual([
      [1, 0, 1, 2],
      [2, 2, 2, 2],
      [3, 2, 2, 2],
      [4, 1, 2, 2],
    ]);
    const [a, b] = report.groups;
    expect(accuracy.byEpoch[0]!.meanSpearman).toBeCloseTo(
      (a!.epochs[0]!.rules.accuracy.spearman + b!.epochs[0]!.rules.accuracy.spearman) / 2,
      12,
    );
  });

  it('refuses histories with a gap, trials of unequal length and a bad tolerance', () => {
    const snapshots = gridSnapshots(['A']);
    const gap = snapshots.filter((s) => !(s.trialId === 'A-14-s2' && s.epoch === 2));
    expect(() => searchSignal(gap, { tolerance: TOLERANCE })).toThrow(/trial A-14-s2.*gap at epoch 2/);
    const short = snapshots.filter((s) => !(s.trialId === 'A-14-s2' && s.epoch === 4));
    expect(() => searchSignal(short, { tolerance: TOLERANCE })).toThrow(
      /A-14-s2.*the same number as the other trials of group A \(4\)/,
    );
    const twice = [...snapshots, snapshots[0]!];
    expect(() => searchSignal(twice, { tolerance: TOLERANCE })).toThrow(/each epoch once/);
    const moved = [
      ...snapshots,
      { ...snapshots.find((s) => s.trialId === 'A-14-s2')!, epoch: 5, resolution: 20 },
    ];
    expect(() => searchSignal(moved, { tolerance: TOLERANCE })).toThrow(/A-14-s2/);
    expect(() => searchSignal(snapshots, { tolerance: -0.1 })).toThrow(/tolerance/);
  });

  it('is empty for no snapshots', () => {
    expect(searchSignal([], { tolerance: TOLERANCE })).toEqual({
      tolerance: TOLERANCE,
      groups: [],
      rules: [
        { rule: 'accuracy', sameFromEpoch: null, withinToleranceFromEpoch: null, byEpoch: [] },
        { rule: 'saturation', sameFromEpoch: null, withinToleranceFromEpoch: null, byEpoch: [] },
        { rule: 'combined', sameFromEpoch: null, withinToleranceFromEpoch: null, byEpoch: [] },
      ],
    });
  });
});
