import { loadDataset, normalize, resizeDatasetAsync, type Dataset } from '@satfarm/data';
import type { DatasetConfig } from '@satfarm/contracts';

export interface DataDirectories {
  fashionMnistDir: string;
  cifar10Dir?: string | undefined;
}

/**
 * Loads a trial's dataset, resizes it to the trial's resolution once (not per batch) and normalises
 * it with statistics of the training split.
 */
export async function prepareDataset(
  config: DatasetConfig,
  resolution: number,
  seed: number,
  dirs: DataDirectories,
): Promise<Dataset> {
  const raw = await loadDataset({
    name: config.name,
    trainLimit: config.trainLimit,
    testLimit: config.testLimit,
    seed,
    fashionMnistDir: dirs.fashionMnistDir,
    cifar10Dir: dirs.cifar10Dir,
  });
  // The async read-back also works on GPU backends, which cannot read synchronously in Node.
  return normalize(await resizeDatasetAsync(raw, resolution));
}
