import { describe, expect, it } from 'vitest';
import { decideRung, rungEpochs } from './rungs.ts';
import type { TrialSnapshot } from './scores.ts';

describe('rungEpochs', () => {
  it('lists minEpochs·η^k strictly below the epochs, increasing', () => {
    expect(rungEpochs({ minEpochs: 1, reductionFactor: 2 }, 8)).toEqual([1, 2, 4]);
    expect(rungEpochs({ minEpochs: 1, reductionFactor: 2 }, 9)).toEqual([1, 2, 4, 8]);
    expect(rungEpochs({ minEpochs: 1, reductionFactor: 3 }, 8)).toEqual([1, 3]);
    expect(rungEpochs({ minEpochs: 2, reductionFactor: 2 }, 8)).toEqual([2, 4]);
    expect(rungEpochs({ minEpochs: 8, reductionFactor: 2 }, 8)).toEqual([]);
    expect(rungEpochs({ minEpochs: 1, reductionFactor: 2 }, 1)).toEqual([]);
  });

  it('refuses options that could never end or make no sense', () => {
    expect(() => rungEpochs({ minEpochs: 0, reductionFactor: 2 }, 8)).toThrow(/minEpochs/);
    expect(() => rungEpochs({ minEpochs: 1.5, reductionFactor: 2 }, 8)).toThrow(/minEpochs/);
    expect(() => rungEpochs({ minEpochs: 1, reductionFactor: 1 }, 8)).toThrow(/reductionFactor/);
    expect(() => rungEpochs({ minEpochs: 1, reductionFactor: 2.5 }, 8)).toThrow(/reductionFactor/);
    expect(() => rungEpochs({ minEpochs: 1, reductionFactor: 2 }, 0)).toThrow(/epochs/);
  });
});

function trial(id: string, resolution: number, seed: number, testAccuracy: number, epoch = 2): TrialSnapshot {
  return {
    trialId: id,
    group: 'g',
    resolution,
    seed,
    epoch,
    testAccuracy,
    layerSaturations: [0.5, 0.5, 0.2],
  };
}

/** n trials at 14 px with distinct accuracies, the first the best. */
function field(n: number): TrialSnapshot[] {
  return Array.from({ length: n }, (_, i) => trial(`t${String(i).padStart(2, '0')}`, 14, i, 0.9 - i / 100));
}

describe('decideRung', () => {
  it('promotes the best max(1, ⌊n/η⌋)', () => {
    const kept = (n: number, reductionFactor: number) =>
      decideRung({ rule: 'accuracy', reductionFactor, epoch: 2, candidates: field(n) }).filter(
        (d) => d.promoted,
      ).length;
    expect(kept(12, 2)).toBe(6);
    expect(kept(12, 3)).toBe(4);
    expect(kept(5, 2)).toBe(2);
    expect(kept(7, 3)).toBe(2);
    expect(kept(2, 3)).toBe(1);
    expect(kept(1, 2)).toBe(1);
    expect(decideRung({ rule: 'accuracy', reductionFactor: 2, epoch: 2, candidates: [] })).toEqual([]);
  });

  it('ranks by score, best first, and promotes the top of the ranking', () => {
    const candidates = field(12).reverse();
    const decisions = decideRung({ rule: 'accuracy', reductionFactor: 2, epoch: 2, candidates });
    expect(decisions.map((d) => d.trialId)).toEqual(field(12).map((t) => t.trialId));
    expect(decisions.map((d) => d.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(decisions.map((d) => d.promoted)).toEqual([...Array(6).fill(true), ...Array(6).fill(false)]);
    expect(decisions[0]!.score).toBe(0.9);
  });

  it('says why in a sentence', () => {
    const candidates = field(12).map((t, i) => (i === 6 ? { ...t, testAccuracy: 0.8423 } : t));
    const d = decideRung({ rule: 'accuracy', reductionFactor: 2, epoch: 2, candidates }).find(
      (x) => x.trialId === 't06',
    )!;
    expect(d.reason).toBe('rank 7 of 12 by accuracy at epoch 2 (score 0.8423); the best 6 continue');
    const one = decideRung({ rule: 'saturation', reductionFactor: 3, epoch: 2, candidates: field(2) });
    expect(one[0]!.reason).toMatch(
      /^rank 1 of 2 by saturation at epoch 2 \(score -?\d\.\d{4}\); only the best continues$/,
    );
  });

  it('breaks ties by smaller resolution, then seed, then trial id, whatever the input order', () => {
    const candidates = [
      trial('z', 28, 1, 0.8),
      trial('b', 14, 2, 0.8),
      trial('d', 14, 1, 0.8),
      trial('c', 14, 1, 0.8),
      trial('e', 10, 3, 0.7),
    ];
    const expected = ['c', 'd', 'b', 'z', 'e'];
    for (const order of [
      candidates,
      [...candidates].reverse(),
      [candidates[2]!, candidates[4]!, candidates[0]!, candidates[3]!, candidates[1]!],
    ]) {
      const decisions = decideRung({ rule: 'accuracy', reductionFactor: 2, epoch: 2, candidates: order });
      expect(decisions.map((d) => d.trialId)).toEqual(expected);
    }
  });

  it('scores by the rule it is given', () => {
    const tailed = { ...trial('tailed', 14, 1, 0.9), layerSaturations: [0.8, 0.8, 0.8, 0.1, 0.5] };
    const even = trial('even', 28, 1, 0.8);
    const top = (rule: 'accuracy' | 'saturation' | 'combined') =>
      decideRung({ rule, reductionFactor: 2, epoch: 2, candidates: [tailed, even] })[0]!.trialId;
    expect(top('accuracy')).toBe('tailed');
    expect(top('saturation')).toBe('even');
    expect(top('combined')).toBe('even'); // 0.9 × 3/4 = 0.675 < 0.8
  });

  it('refuses candidates from another epoch, the same trial twice and a bad η', () => {
    expect(() =>
      decideRung({ rule: 'accuracy', reductionFactor: 2, epoch: 2, candidates: [trial('a', 14, 1, 0.8, 3)] }),
    ).toThrow(/epoch of candidate a/);
    expect(() =>
      decideRung({
        rule: 'accuracy',
        reductionFactor: 2,
        epoch: 2,
        candidates: [trial('a', 14, 1, 0.8), trial('a', 14, 1, 0.8)],
      }),
    ).toThrow(/each trial at most once/);
    expect(() =>
      decideRung({ rule: 'accuracy', reductionFactor: 1, epoch: 2, candidates: field(3) }),
    ).toThrow(/reductionFactor/);
  });
});
