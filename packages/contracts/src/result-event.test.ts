import { describe, expect, it } from 'vitest';
import { ResultEvent } from './result-event.ts';

const ids = { trialId: 'a'.repeat(32), sweepId: 'b'.repeat(32) };

describe('ResultEvent', () => {
  it('accepts the three event kinds', () => {
    const events = [
      {
        type: 'started',
        ...ids,
        attempt: 1,
        worker: 'host:1',
        backend: 'wasm',
        device: 'cpu',
        at: '2026-11-26T12:00:00.000Z',
      },
      {
        type: 'epoch',
        ...ids,
        attempt: 1,
        result: {
          epoch: 1,
          trainLoss: 0.5,
          trainAccuracy: 0.8,
          testLoss: 0.6,
          testAccuracy: 0.75,
          seconds: 3,
          backend: 'wasm',
          layers: [
            {
              name: 'conv1',
              index: 0,
              kind: 'conv',
              width: 16,
              receptiveField: 3,
              unproductive: false,
              train: { k: 4, saturation: 0.25 },
              eval: { k: 5, saturation: 0.3125 },
            },
          ],
        },
      },
      {
        type: 'finished',
        ...ids,
        attempt: 2,
        status: 'diverged',
        error: 'NaN loss',
        at: '2026-11-26T12:00:00+01:00',
      },
    ];
    for (const event of events) expect(ResultEvent.parse(event)).toEqual(event);
  });

  it('refuses unknown types, bad ids, attempt 0 and unknown statuses', () => {
    const finished = {
      type: 'finished',
      ...ids,
      attempt: 1,
      status: 'failed',
      at: '2026-11-26T12:00:00Z',
    };
    expect(ResultEvent.safeParse(finished).success).toBe(true);
    expect(ResultEvent.safeParse({ ...finished, type: 'progress' }).success).toBe(false);
    expect(ResultEvent.safeParse({ ...finished, trialId: 'T1' }).success).toBe(false);
    expect(ResultEvent.safeParse({ ...finished, attempt: 0 }).success).toBe(false);
    expect(ResultEvent.safeParse({ ...finished, status: 'cancelled' }).success).toBe(false);
    expect(ResultEvent.safeParse({ ...finished, at: 'yesterday' }).success).toBe(false);
    expect(ResultEvent.safeParse({ ...finished, extra: 1 }).success).toBe(false);
  });

  it('requires a completed event to carry its epochs 1..n in order', () => {
    const epoch = (n: number) => ({
      epoch: n,
      trainLoss: 0.5,
      trainAccuracy: 0.8,
      testLoss: 0.6,
      testAccuracy: 0.75,
      seconds: 3,
      backend: 'wasm',
      layers: [],
    });
    const completed = {
      type: 'finished',
      ...ids,
      attempt: 1,
      status: 'completed',
      at: '2026-11-26T12:00:00Z',
    };
    expect(ResultEvent.safeParse({ ...completed, epochs: [epoch(1), epoch(2)] }).success).toBe(true);
    const missing = ResultEvent.safeParse(completed);
    expect(missing.error?.issues).toEqual([
      expect.objectContaining({ path: ['epochs'], message: expect.stringMatching(/epoch history/) }),
    ]);
    const gap = ResultEvent.safeParse({ ...completed, epochs: [epoch(1), epoch(3)] });
    expect(gap.error?.issues).toEqual([
      expect.objectContaining({
        path: ['epochs', 1, 'epoch'],
        message: expect.stringMatching(/got epoch 3/),
      }),
    ]);
    expect(ResultEvent.safeParse({ ...completed, epochs: [epoch(2), epoch(1)] }).success).toBe(false);
  });

  it('refuses a worker id with control characters: it is stored and printed', () => {
    const started = {
      type: 'started',
      ...ids,
      attempt: 1,
      worker: 'host:1',
      backend: 'wasm',
      device: 'cpu',
      at: '2026-11-26T12:00:00Z',
    };
    expect(ResultEvent.safeParse(started).success).toBe(true);
    const bad = ResultEvent.safeParse({ ...started, worker: 'host\u001b[2J' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({ path: ['worker'] });
    expect(bad.error?.issues[0]?.message).toMatch(/control character \\x1b at position 4 in "host\\x1b\[2J"/);
  });
});
