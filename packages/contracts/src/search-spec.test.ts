import { describe, expect, it } from 'vitest';
import { epochBudget, plannedSearchEpochs, rungEpochs } from './search-spec.ts';
import { InvalidSpecError, parseSweepSpec, sweepIdFor } from './sweep-spec.ts';

const base = {
  name: 'search',
  dataset: { name: 'synthetic' },
  grid: { architecture: ['simple-cnn'], resolution: [14, 28] },
  training: { epochs: 8, batchSize: 16 },
};
const halving = { strategy: 'successive-halving', minEpochs: 1, reductionFactor: 2 } as const;

describe('successive-halving rungs', () => {
  it('decides at minEpochs·η^k below the last epoch; every epoch is the last stage', () => {
    expect(rungEpochs({ minEpochs: 1, reductionFactor: 2 }, 8)).toEqual([1, 2, 4]);
    expect(rungEpochs({ minEpochs: 1, reductionFactor: 3 }, 9)).toEqual([1, 3]);
    expect(rungEpochs({ minEpochs: 2, reductionFactor: 2 }, 10)).toEqual([2, 4, 8]);
    expect(rungEpochs({ minEpochs: 4, reductionFactor: 2 }, 4)).toEqual([]);
    const spec = parseSweepSpec({ ...base, search: halving }).search;
    expect([0, 1, 2, 3, 4].map((rung) => epochBudget(spec, 8, rung))).toEqual([1, 2, 4, 8, 8]);
    expect(epochBudget(undefined, 8, 0)).toBe(8);
    expect(epochBudget({ strategy: 'grid' }, 8, 0)).toBe(8);
  });

  it('plans the epochs a search trains when nothing fails: 12 trials, η = 2, 8 epochs → 12 + 6 + 3·2 + 1·4', () => {
    expect(plannedSearchEpochs(parseSweepSpec({ ...base, search: halving }).search, 8, 12)).toBe(28);
    // At least one trial survives every rung.
    expect(plannedSearchEpochs({ ...halving, rankBy: 'accuracy' }, 8, 1)).toBe(8);
    expect(plannedSearchEpochs(undefined, 8, 12)).toBe(96);
  });

  it('fills the defaults, keeps the sweep id of a spec without `search`, and names a spec with no rung', () => {
    expect(parseSweepSpec({ ...base, search: { strategy: 'successive-halving' } }).search).toEqual({
      strategy: 'successive-halving',
      minEpochs: 1,
      reductionFactor: 2,
      rankBy: 'combined',
    });
    // No default is filled in: a spec written before `search` existed hashes to the sweep id it had.
    expect('search' in parseSweepSpec(base)).toBe(false);
    expect(sweepIdFor(parseSweepSpec(base))).not.toBe(
      sweepIdFor(parseSweepSpec({ ...base, search: { strategy: 'grid' } })),
    );
    const error = (() => {
      try {
        parseSweepSpec({ ...base, search: { ...halving, minEpochs: 8 } });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidSpecError);
    expect((error as InvalidSpecError).problems).toEqual([
      expect.objectContaining({
        path: 'search.minEpochs',
        got: '8',
        expected: 'minEpochs below training.epochs (8)',
      }),
    ]);
    expect(() => parseSweepSpec({ ...base, search: { ...halving, reductionFactor: 1 } })).toThrow(
      /search\.reductionFactor/,
    );
    expect(() => parseSweepSpec({ ...base, search: { strategy: 'hyperband' } })).toThrow(/search\.strategy/);
  });
});
