import { afterEach, describe, expect, it, vi } from 'vitest';
import { MicroBatcher, type Settled } from './batcher.ts';

const allOk = async (items: number[]): Promise<Settled<number>[]> =>
  items.map((value) => ({ ok: true, value }));

afterEach(() => {
  vi.useRealTimers();
});

describe('MicroBatcher', () => {
  it('groups concurrent items into one flush and resolves each with its own outcome', async () => {
    const flushed: number[][] = [];
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        flushed.push(items);
        return allOk(items.map((i) => i * 10));
      },
      100,
      5,
    );
    const results = await Promise.all([1, 2, 3].map((i) => batcher.add(i)));
    expect(results).toEqual([10, 20, 30]);
    expect(flushed).toEqual([[1, 2, 3]]);
  });

  it('flushes at maxItems without waiting and never runs two flushes at once', async () => {
    let running = 0;
    let maxRunning = 0;
    const sizes: number[] = [];
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        sizes.push(items.length);
        await new Promise((r) => setImmediate(r));
        running -= 1;
        return allOk(items);
      },
      4,
      60_000,
    );
    await Promise.all(Array.from({ length: 10 }, (_, i) => batcher.add(i)).slice(0, 8));
    expect(sizes.slice(0, 2)).toEqual([4, 4]);
    await batcher.drain();
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(10);
    expect(maxRunning).toBe(1);
  });

  it('fails every item of a batch whose flush throws, and each failed item alone', async () => {
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        if (items.includes(13)) throw new Error('database down');
        return items.map((value) =>
          value % 2 === 0 ? { ok: true, value } : { ok: false, error: new Error(`odd ${value}`) },
        );
      },
      10,
      1,
    );
    const [a, b] = await Promise.allSettled([batcher.add(13), batcher.add(14)]);
    expect(a).toMatchObject({ status: 'rejected', reason: { message: 'database down' } });
    expect(b).toMatchObject({ status: 'rejected', reason: { message: 'database down' } });
    const [c, d] = await Promise.allSettled([batcher.add(2), batcher.add(3)]);
    expect(c).toEqual({ status: 'fulfilled', value: 2 });
    expect(d).toMatchObject({ status: 'rejected', reason: { message: 'odd 3' } });
  });

  it('sends a batch that waited through a long flush as soon as that flush ends', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const { batcher, flushed, release } = batcherHeldAtItemOne();
    const first = batcher.add(1);
    await vi.advanceTimersByTimeAsync(30);
    expect(flushed).toEqual([[1]]);
    const second = batcher.add(2);
    await vi.advanceTimersByTimeAsync(100); // 2 has waited far beyond 30 ms, the flush of 1 still runs
    expect(flushed).toEqual([[1]]);
    release();
    await first;
    await vi.advanceTimersByTimeAsync(0); // no further delay: 2 goes right away
    expect(flushed).toEqual([[1], [2]]);
    expect(await second).toBe(2);
  });

  it('lets a batch that arrived late in a flush still wait out its own delay for company', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const { batcher, flushed, release } = batcherHeldAtItemOne();
    const first = batcher.add(1);
    await vi.advanceTimersByTimeAsync(30);
    const second = batcher.add(2);
    await vi.advanceTimersByTimeAsync(10);
    release();
    await first;
    await vi.advanceTimersByTimeAsync(0);
    expect(flushed).toEqual([[1]]);
    const third = batcher.add(3);
    await vi.advanceTimersByTimeAsync(20); // 30 ms after 2 arrived
    expect(flushed).toEqual([[1], [2, 3]]);
    expect(await Promise.all([second, third])).toEqual([2, 3]);
  });
});

/**
 * A batcher (up to 100 items, 30 ms) whose flush of a batch holding item 1 waits until `release()`:
 * a long flush, during which other items arrive.
 */
function batcherHeldAtItemOne() {
  const flushed: number[][] = [];
  let released: () => void = () => {};
  const batcher = new MicroBatcher<number, number>(
    async (items) => {
      flushed.push(items);
      if (items.includes(1)) await new Promise<void>((r) => (released = r));
      return allOk(items);
    },
    100,
    30,
  );
  return { batcher, flushed, release: () => released() };
}
