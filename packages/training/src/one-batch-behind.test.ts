import { describe, expect, it } from 'vitest';
import { OneBatchBehind } from './one-batch-behind.ts';

const later = <T>(value: T, ms: number) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('OneBatchBehind', () => {
  it('waits for batch b−1 when batch b is pushed, and for the last one on drain', async () => {
    const done: number[] = [];
    const behind = new OneBatchBehind();
    await behind.push(later(0, 5).then((b) => void done.push(b)));
    expect(done).toEqual([]); // the first push does not wait
    await behind.push(later(1, 5).then((b) => void done.push(b)));
    expect(done).toEqual([0]);
    await behind.drain();
    expect(done).toEqual([0, 1]);
  });

  it('off, settles each batch before the next is queued', async () => {
    const done: number[] = [];
    const now = new OneBatchBehind(false);
    await now.push(later(0, 5).then((b) => void done.push(b)));
    expect(done).toEqual([0]);
    await expect(now.push(Promise.reject(new Error('batch 2')))).rejects.toThrow('batch 2');
  });

  it('rethrows a batch error one push later, and abandon swallows the outstanding one', async () => {
    const behind = new OneBatchBehind();
    await behind.push(Promise.reject(new Error('batch 1 diverged')));
    await expect(behind.push(later(undefined, 1))).rejects.toThrow('batch 1 diverged');
    await behind.push(Promise.reject(new Error('batch 3')));
    await expect(behind.abandon()).resolves.toBeUndefined();
    await expect(behind.drain()).resolves.toBeUndefined();
  });
});
