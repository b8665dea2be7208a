import type { Child, ChildPool, Worker } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { prewarmChildren } from './prewarm-children.ts';

const processor = new URL('file:///srv/trial-processor.mjs');

/** A stand-in for BullMQ's pool: each retain takes the next behaviour from the list. */
function fakeWorker(behaviours: ('ok' | 'fail' | 'slow')[]) {
  const released: number[] = [];
  const keys: string[] = [];
  let n = 0;
  const pool = {
    retain(key: string) {
      keys.push(key);
      const id = n++;
      const child = { pid: id } as unknown as Child;
      switch (behaviours[id]) {
        case 'fail':
          return Promise.reject(new Error('Error initializing child: boom'));
        case 'slow':
          return new Promise<Child>((resolve) => setTimeout(() => resolve(child), 60));
        default:
          return Promise.resolve(child);
      }
    },
    release(child: Child) {
      released.push((child as unknown as { pid: number }).pid);
    },
  } as unknown as ChildPool;
  return { worker: { childPool: pool } as unknown as Worker, released, keys };
}

describe('prewarmChildren', () => {
  it('starts the children under the key the sandbox uses and hands them back to the pool', async () => {
    const { worker, released, keys } = fakeWorker(['ok', 'ok']);
    const outcome = await prewarmChildren(worker, processor, 2, 1_000);
    expect(outcome).toEqual({ ready: 2, failed: 0, errors: [], supported: true });
    expect(keys).toEqual([processor.href, processor.href]);
    expect(released.sort()).toEqual([0, 1]);
  });

  it('reports children that fail or are late, and still returns a late one to the pool', async () => {
    const { worker, released } = fakeWorker(['ok', 'fail', 'slow']);
    const outcome = await prewarmChildren(worker, processor, 3, 20);
    expect(outcome).toMatchObject({ ready: 1, failed: 2, supported: true });
    expect(outcome.errors).toEqual(['Error initializing child: boom', 'not ready within 20 ms']);
    await new Promise((r) => setTimeout(r, 80));
    expect(released.sort()).toEqual([0, 2]);
  });

  it('does nothing where BullMQ keeps no pool it can reach', async () => {
    const outcome = await prewarmChildren({} as unknown as Worker, processor, 2, 1_000);
    expect(outcome).toEqual({ ready: 0, failed: 0, errors: [], supported: false });
  });
});
