import type { Pool } from '@satfarm/db';
import { loadSweepPlot } from '@satfarm/plot-data';
import { sweepVersion } from './queries.ts';

export type SweepPlotData = Awaited<ReturnType<typeof loadSweepPlot>>;

interface Entry {
  version: string;
  at: number;
  value: Promise<SweepPlotData>;
}

export interface SweepPlotCacheOptions {
  /** Sweeps kept (least recently used go first). */
  maxEntries?: number;
  /** Recompute after this long even when the version did not move (a change made by hand in SQL). */
  maxAgeMs?: number;
  now?: () => number;
}

/**
 * A sweep's resolution study (summary, recommendations, saturation per layer) aggregates every
 * trial's last epoch: for 10,000 trials about half a second of database time. Every reader of the
 * sweep gets the same numbers until a trial changes, so they are computed once per version of the
 * sweep (trial count, newest `updated_at`, epochs stored: a cheap scan of `trials`), and readers
 * who arrive while that runs wait for the same computation rather than starting their own.
 */
export class SweepPlotCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(options: SweepPlotCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 32;
    this.maxAgeMs = options.maxAgeMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** The plot data of `sweep` as it is now in the database. */
  async plot(pool: Pool, sweep: { id: string; name: string }): Promise<SweepPlotData> {
    const version = await sweepVersion(pool, sweep.id);
    return this.get(sweep.id, version, () => loadSweepPlot(pool, sweep));
  }

  /** `load()` unless a computation for this key and version is cached or under way. Failures are not kept. */
  get(key: string, version: string, load: () => Promise<SweepPlotData>): Promise<SweepPlotData> {
    const found = this.entries.get(key);
    this.entries.delete(key); // re-inserted below: Map order is the recency order
    if (found !== undefined && found.version === version && this.now() - found.at <= this.maxAgeMs) {
      this.entries.set(key, found);
      return found.value;
    }
    const entry: Entry = { version, at: this.now(), value: load() };
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    this.entries.set(key, entry);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
    return entry.value;
  }
}
