export type { Dataset, Split } from './dataset.ts';
export { pixelsPerImage } from './dataset.ts';
export {
  DatasetCorruptError,
  DatasetCountMismatchError,
  DatasetNotFoundError,
  InvalidDatasetOptionError,
} from './errors.ts';
export type { IdxKind } from './idx.ts';
export { parseIdx } from './idx.ts';
export { CIFAR10_RECORD_BYTES, parseCifar10Batch } from './cifar10-format.ts';
export { CIFAR10_CLASS_NAMES, loadCifar10 } from './cifar10.ts';
export { DEFAULT_FASHION_MNIST_DIR, FASHION_MNIST_CLASS_NAMES, loadFashionMnist } from './fashion-mnist.ts';
export { syntheticDataset } from './synthetic.ts';
export { channelStats, normalize } from './normalize.ts';
export { RESIZE_CHUNK, resizeDataset, resizeDatasetAsync } from './resize.ts';
export { createRng, mixSeeds, shuffledIndices } from './rng.ts';
export { gatherBatch } from './batch.ts';
export type { LoadDatasetConfig } from './load-dataset.ts';
export { loadDataset, SYNTHETIC_DEFAULT_TEST, SYNTHETIC_DEFAULT_TRAIN } from './load-dataset.ts';
export { makeDirectory } from './make-directory.ts';
