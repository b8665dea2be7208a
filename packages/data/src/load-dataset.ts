import { loadCifar10 } from './cifar10.ts';
import type { Dataset } from './dataset.ts';
import { InvalidDatasetOptionError } from './errors.ts';
import { DEFAULT_FASHION_MNIST_DIR, loadFashionMnist } from './fashion-mnist.ts';
import { resolveLimit } from './limits.ts';
import { syntheticDataset } from './synthetic.ts';

export interface LoadDatasetConfig {
  name: 'fashion-mnist' | 'cifar10' | 'synthetic';
  trainLimit?: number;
  testLimit?: number;
  seed?: number;
  fashionMnistDir?: string;
  cifar10Dir?: string;
}

export const SYNTHETIC_DEFAULT_TRAIN = 512;
export const SYNTHETIC_DEFAULT_TEST = 256;

/**
 * Load a dataset by name. Directories are arguments (the app reads FASHION_MNIST_DIR and friends
 * from its env); Fashion-MNIST falls back to Debian's install path. For `synthetic` the limits
 * are the generated counts (defaults 512 / 256) and `seed` (default 0) picks the data.
 */
export async function loadDataset(config: LoadDatasetConfig): Promise<Dataset> {
  switch (config.name) {
    case 'fashion-mnist':
      return loadFashionMnist({
        dir: config.fashionMnistDir ?? DEFAULT_FASHION_MNIST_DIR,
        trainLimit: config.trainLimit,
        testLimit: config.testLimit,
      });
    case 'cifar10':
      if (config.cifar10Dir === undefined || config.cifar10Dir === '') {
        throw new InvalidDatasetOptionError(
          'cifar10Dir',
          config.cifar10Dir,
          "the 'cifar-10-batches-bin' directory of the CIFAR-10 binary version (there is no default location)",
        );
      }
      return loadCifar10({
        dir: config.cifar10Dir,
        trainLimit: config.trainLimit,
        testLimit: config.testLimit,
      });
    case 'synthetic':
      return syntheticDataset({
        seed: config.seed ?? 0,
        // Validated as limits so a bad value is reported under the name the caller used.
        trainCount: resolveLimit(
          config.trainLimit ?? SYNTHETIC_DEFAULT_TRAIN,
          Number.MAX_SAFE_INTEGER,
          'trainLimit',
        ),
        testCount: resolveLimit(
          config.testLimit ?? SYNTHETIC_DEFAULT_TEST,
          Number.MAX_SAFE_INTEGER,
          'testLimit',
        ),
      });
    default: {
      const name: never = config.name;
      throw new InvalidDatasetOptionError('dataset name', name, "'fashion-mnist', 'cifar10' or 'synthetic'");
    }
  }
}
