import { canonicalJson, type TrialConfig } from '@satfarm/contracts';

/**
 * The last few prepared (loaded, resized, normalised) datasets of this process, so consecutive trials on
 * the same data and resolution skip the load. Small on purpose: one Fashion-MNIST at 64 px is ~1 GB.
 */
export class DatasetCache<T> {
  private readonly entries = new Map<string, Promise<T>>();

  constructor(
    private readonly capacity: number,
    private readonly load: (config: TrialConfig) => Promise<T>,
  ) {}

  get(config: TrialConfig): Promise<T> {
    // The seed is part of the key: it picks the synthetic data (and may pick a subset of real data).
    const key = canonicalJson({ dataset: config.dataset, resolution: config.resolution, seed: config.seed });
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit); // most recently used last
      return hit;
    }
    const loading = this.load(config);
    if (this.capacity === 0) return loading;
    this.entries.set(key, loading);
    // A failed load is not cached: the next trial tries again (the files may appear).
    loading.catch(() => {
      if (this.entries.get(key) === loading) this.entries.delete(key);
    });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return loading;
  }

  get size(): number {
    return this.entries.size;
  }
}
