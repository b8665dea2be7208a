/** The fate of one item of a batch. */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

/**
 * Collects items from many concurrent callers and hands them to `flush` in batches: when `maxItems` are
 * waiting, or `maxDelayMs` after the first one arrived. Each caller's promise settles with its own item's
 * outcome (or the batch's error when `flush` throws), so a failed write fails its jobs and BullMQ retries
 * them. One flush at a time: items arriving meanwhile form the next batch, so PostgreSQL never sees two
 * of our transactions on the same rows at once, and batches grow with the load on their own. A batch
 * that waited through a flush for `maxDelayMs` already goes as soon as that flush ends (not another
 * `maxDelayMs` later: under load that idle gap between flushes was most of the aggregator's time).
 */
export class MicroBatcher<T, R> {
  private pending: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void; at: number }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly flush: (items: T[]) => Promise<Settled<R>[]>,
    private readonly maxItems: number,
    private readonly maxDelayMs: number,
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject, at: performance.now() });
      if (this.pending.length >= this.maxItems) this.kick();
      else this.timer ??= setTimeout(() => this.kick(), this.maxDelayMs);
    });
  }

  /** Flushes everything waiting now (on close); resolves once all of it is committed or failed. */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.flushing !== undefined) {
      this.kick();
      await this.flushing;
    }
  }

  /** After a flush: go now when the next batch is full or its oldest item waited long enough. */
  private schedule(): void {
    const oldest = this.pending[0];
    if (oldest === undefined) return;
    const waitMs = this.maxDelayMs - (performance.now() - oldest.at);
    if (this.pending.length >= this.maxItems || waitMs <= 0) {
      this.kick();
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.kick(), waitMs);
  }

  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.flushing !== undefined || this.pending.length === 0) return;
    const batch = this.pending.splice(0, this.maxItems);
    this.flushing = (async () => {
      try {
        const outcomes = await this.flush(batch.map((b) => b.item));
        batch.forEach((b, i) => {
          const outcome = outcomes[i];
          if (outcome === undefined) b.reject(new Error('batch flush returned no outcome for this item'));
          else if (outcome.ok) b.resolve(outcome.value);
          else b.reject(outcome.error);
        });
      } catch (error) {
        for (const b of batch) b.reject(error);
      } finally {
        this.flushing = undefined;
        this.schedule();
      }
    })();
  }
}
