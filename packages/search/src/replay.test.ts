import { describe, expect, it } from 'vitest';
import { replaySearch } from './replay.ts';
import { gridSnapshots } from './testing.ts';

const base = { minEpochs: 1, reductionFactor: 2, epochs: 4, tolerance: 0.005 } as const;

describe('replaySearch', () => {
  it('halves the field at each rung and picks by the grid rule among the survivors', () => {
    const report = replaySearch(gridSnapshots(['A']), { ...base, rule: 'accuracy' });
    expect(report.rungEpochs).toEqual([1, 2]);
    const [a] = report.groups;
    // Epoch 1: 28s1 .66, 28s2 .64, 14s1 .63, 20s1 .62 go on (10s1 and 14s2 tie at .61: 10 ranks first).
    expect(a!.rungs[0]!.decisions.map((d) => `${d.resolution}s${d.seed}${d.promoted ? '+' : ''}`)).toEqual([
      '28s1+',
      '28s2+',
      '14s1+',
      '20s1+',
      '10s1',
      '14s2',
      '20s2',
      '10s2',
    ]);
    // Epoch 2: 20s1 .79 and 28s1 .77 go on.
    expect(a!.survivors.map((s) => s.trialId)).toEqual(['A-20-s1', 'A-28-s1']);
    expect(a!).toMatchObject({ pickedResolution: 20, gridResolution: 20, same: true, withinTolerance: true });
    // 4 trials stop after 1 epoch, 2 after 2, 2 train 4: 16 of 8 × 4.
    expect([a!.epochsTrained, a!.gridEpochs]).toEqual([16, 32]);
    expect(report.totals).toEqual({
      groups: 1,
      same: 1,
      withinTolerance: 1,
      epochsTrained: 16,
      gridEpochs: 32,
      share: 0.5,
    });
  });

  it('keeps max(1, ⌊n/η⌋) per rung, so one trial can be left', () => {
    const [a] = replaySearch(gridSnapshots(['A']), { ...base, rule: 'accuracy', reductionFactor: 3 }).groups;
    // rungs 1 and 3: 2 of 8 go on (28s1, 28s2), then 1 of 2 (28s1): the fast starter wins, 1 point short.
    expect(a!.survivors.map((s) => s.trialId)).toEqual(['A-28-s1']);
    expect(a!).toMatchObject({
      pickedResolution: 28,
      gridResolution: 20,
      same: false,
      withinTolerance: false,
    });
    expect(a!.epochsTrained).toBe(6 * 1 + 1 * 3 + 1 * 4);
  });

  it('applies the grid rule when several resolutions survive', () => {
    const [b] = replaySearch(gridSnapshots(['B']), { ...base, rule: 'combined' }).groups;
    // Survivors 14s1 (.863) and 20s1 (.865): 20 is best, 14 within half a point and smaller.
    expect(b!.survivors.map((s) => s.trialId)).toEqual(['B-14-s1', 'B-20-s1']);
    expect(b!).toMatchObject({ pickedResolution: 14, gridResolution: 14, same: true });
  });

  it('ranks by the rule it replays', () => {
    const report = replaySearch(gridSnapshots(), { ...base, rule: 'saturation' });
    const [a, b] = report.groups;
    expect(a!.survivors.map((s) => s.trialId)).toEqual(['A-28-s1', 'A-28-s2']);
    expect(a!).toMatchObject({ pickedResolution: 28, same: false, withinTolerance: false });
    expect(b!).toMatchObject({
      pickedResolution: 28,
      gridResolution: 14,
      same: false,
      withinTolerance: true,
    });
    expect(report.totals).toMatchObject({ groups: 2, same: 0, withinTolerance: 1, gridEpochs: 64 });
  });

  it('trains everything when there is no rung, and refuses epochs the histories lack', () => {
    const [a] = replaySearch(gridSnapshots(['A']), { ...base, rule: 'accuracy', minEpochs: 4 }).groups;
    expect(a!.rungs).toEqual([]);
    expect(a!).toMatchObject({ pickedResolution: 20, same: true, epochsTrained: 32, gridEpochs: 32 });
    // A search of 2 epochs is compared with a grid of 2 epochs.
    const [short] = replaySearch(gridSnapshots(['A']), { ...base, rule: 'accuracy', epochs: 2 }).groups;
    expect(short!).toMatchObject({ gridResolution: 20, gridEpochs: 16 });
    expect(() => replaySearch(gridSnapshots(['A']), { ...base, rule: 'accuracy', epochs: 5 })).toThrow(
      /at most the epochs group A trained \(4\)/,
    );
    expect(() => replaySearch(gridSnapshots(['A']), { ...base, rule: 'accuracy', minEpochs: 0 })).toThrow(
      /minEpochs/,
    );
  });
});
