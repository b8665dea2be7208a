/**
 * Settles each batch's host-side work (its read back, checks and merges) only after the next batch has
 * been queued on the device, so that a GPU works on batch b+1 while the host waits for batch b's
 * numbers instead of idling through every round trip. Off (`enabled` false) on backends that compute
 * synchronously (cpu, wasm, tensorflow): there the next step would run before this batch is reported,
 * for no gain.
 */
export class OneBatchBehind {
  private pending: Promise<void> | undefined;

  constructor(private readonly enabled = true) {}

  /** Hands over batch b's settling and waits for batch b−1's (rethrowing its error); off: for b's. */
  async push(settle: Promise<void>): Promise<void> {
    if (!this.enabled) return settle;
    // Marked handled now: it is awaited one batch later, or by drain().
    settle.catch(() => {});
    const previous = this.pending;
    this.pending = settle;
    await previous;
  }

  /** Waits for the last batch. */
  async drain(): Promise<void> {
    const last = this.pending;
    this.pending = undefined;
    await last;
  }

  /** After an error elsewhere: lets the outstanding read finish (it frees its tensors), ignoring its result. */
  async abandon(): Promise<void> {
    await this.drain().catch(() => {});
  }
}

/**
 * Queues batch 0, 1, … `count − 1` in order (`queue(b)` starts a batch and returns the promise that
 * settles it), each settled one batch behind where `lag` is on. After an error, lets the outstanding
 * read finish (it frees its tensors) and rethrows.
 */
export async function settleEachBatch(
  count: number,
  lag: boolean,
  queue: (batch: number) => Promise<void>,
): Promise<void> {
  const behind = new OneBatchBehind(lag);
  try {
    for (let b = 0; b < count; b++) await behind.push(queue(b));
    await behind.drain();
  } catch (error) {
    await behind.abandon();
    throw error;
  }
}
