import { canonicalJson, type TrialConfig } from '@satfarm/contracts';

/**
 * Which trials share a prepared dataset. The seed picks the synthetic data, so it is part of that key;
 * real datasets are the same for every seed (limits keep the first N examples, never a seeded sample:
 * see @satfarm/data's limits), so a sweep over seeds loads Fashion-MNIST once per process, not once per
 * trial (~0.4 s of CPU each time for a 60k-image file).
 */
const SEED_INDEPENDENT: ReadonlySet<string> = new Set(['fashion-mnist', 'cifar10']);

export function datasetKey(config: TrialConfig): string {
  // A dataset not listed here keeps the seed in its key: correct, if slower, until someone checks it.
  const seeded = !SEED_INDEPENDENT.has(config.dataset.name);
  return canonicalJson({
    dataset: config.dataset,
    resolution: config.resolution,
    ...(seeded ? { seed: config.seed } : {}),
  });
}

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
    const key = datasetKey(config);
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
