import { describe, expect, it } from 'vitest';
import { type SweepPlotData, SweepPlotCache } from './sweep-plot-cache.ts';

const plot = (name: string): SweepPlotData => ({
  sweepId: 's',
  name,
  summary: [],
  recommendations: [],
  layers: [],
});

describe('SweepPlotCache', () => {
  it('computes once per version, sharing a computation under way', async () => {
    const cache = new SweepPlotCache();
    let loads = 0;
    const load = async () => plot(`v${++loads}`);
    const [a, b] = await Promise.all([cache.get('s', '1', load), cache.get('s', '1', load)]);
    expect(loads).toBe(1);
    expect(a).toBe(b);
    expect((await cache.get('s', '1', load)).name).toBe('v1');
    expect((await cache.get('s', '2', load)).name).toBe('v2');
    expect(loads).toBe(2);
  });

  it('keeps no failure: the next reader tries again', async () => {
    const cache = new SweepPlotCache();
    await expect(cache.get('s', '1', () => Promise.reject(new Error('database away')))).rejects.toThrow(
      'database away',
    );
    expect((await cache.get('s', '1', async () => plot('back'))).name).toBe('back');
  });

  it('recomputes after maxAgeMs and forgets the least recently used sweep', async () => {
    let now = 0;
    const cache = new SweepPlotCache({ maxEntries: 2, maxAgeMs: 1000, now: () => now });
    let loads = 0;
    const load = async () => plot(`v${++loads}`);
    await cache.get('a', '1', load);
    now = 1001;
    expect((await cache.get('a', '1', load)).name).toBe('v2');
    await cache.get('b', '1', load);
    await cache.get('a', '1', load); // a is now the most recent
    await cache.get('c', '1', load); // evicts b
    expect(loads).toBe(4);
    await cache.get('a', '1', load);
    expect(loads).toBe(4);
    await cache.get('b', '1', load);
    expect(loads).toBe(5);
  });
});
