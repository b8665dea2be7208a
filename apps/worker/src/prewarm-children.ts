import type { Child, ChildPool, Worker } from 'bullmq';

export interface PrewarmOutcome {
  /** Children forked and initialised (tfjs backend loaded), now idle in BullMQ's pool. */
  ready: number;
  /** Children that failed to start or did not finish within the time limit. */
  failed: number;
  /** Errors of the failed ones, for the log. */
  errors: string[];
  /** False when this BullMQ build keeps its pool elsewhere (nothing was done; children fork lazily). */
  supported: boolean;
}

/**
 * Forks `count` sandboxed trainer processes and waits until each has loaded the processor (tsx, tfjs,
 * the wasm backend: 1-3 s of a core each) before the worker takes its first job. BullMQ forks them only
 * when jobs arrive, so otherwise the first trial of every child waits for all of that.
 *
 * BullMQ has no public way to do this: its Worker keeps the pool in a private `childPool` field (5.x),
 * whose `retain`/`release` are public methods of the exported ChildPool class. The processor key must be
 * the one the Worker's sandbox uses: the processor URL's `href`. Where the field is missing nothing
 * happens. A child that is not ready within `timeoutMs` is returned to the pool whenever it is.
 */
export async function prewarmChildren(
  worker: Worker,
  processor: URL,
  count: number,
  timeoutMs: number,
): Promise<PrewarmOutcome> {
  const pool = (worker as unknown as { childPool?: ChildPool }).childPool;
  if (pool === undefined || typeof pool.retain !== 'function' || typeof pool.release !== 'function') {
    return { ready: 0, failed: 0, errors: [], supported: false };
  }
  const outcomes = await Promise.all(
    Array.from({ length: count }, () => withTimeout(pool.retain(processor.href), timeoutMs, pool)),
  );
  const errors = outcomes.filter((o): o is { error: string } => 'error' in o).map((o) => o.error);
  return { ready: count - errors.length, failed: errors.length, errors, supported: true };
}

async function withTimeout(
  retaining: Promise<Child>,
  timeoutMs: number,
  pool: ChildPool,
): Promise<{ child: Child } | { error: string }> {
  let timer: NodeJS.Timeout | undefined;
  // Released as soon as it is up, even after the timeout: the next job takes it from the free list.
  const released = retaining.then(
    (child) => {
      pool.release(child);
      return { child };
    },
    (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
  );
  const timeout = new Promise<{ error: string }>((resolve) => {
    timer = setTimeout(() => resolve({ error: `not ready within ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    return await Promise.race([released, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
