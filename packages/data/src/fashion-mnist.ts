import { bytesToLabels, bytesToUnitFloats, type Dataset, type Split } from './dataset.ts';
import { DatasetCorruptError, DatasetCountMismatchError } from './errors.ts';
import { parseIdx } from './idx.ts';
import { resolveLimit } from './limits.ts';
import { checkBeforeLoading, type DatasetFilesOptions, readMaybeGzipped } from './read-dataset-file.ts';

/** Where Debian's `dataset-fashion-mnist` installs the files (FASHION_MNIST_DIR's default): one home. */
export { DEFAULT_FASHION_MNIST_DIR } from '@satfarm/contracts';

export const FASHION_MNIST_CLASS_NAMES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

const HINT = "install Debian's dataset-fashion-mnist or set FASHION_MNIST_DIR";

interface LoadedSplit {
  split: Split;
  height: number;
  width: number;
  imagesFile: string;
}

async function loadSplit(
  dir: string,
  prefix: 'train' | 't10k',
  limit: number | undefined,
  field: string,
): Promise<LoadedSplit> {
  const [imgFile, lblFile] = await Promise.all([
    readMaybeGzipped(dir, `${prefix}-images-idx3-ubyte`, HINT),
    readMaybeGzipped(dir, `${prefix}-labels-idx1-ubyte`, HINT),
  ]);
  const images = parseIdx(imgFile.bytes, imgFile.path, 'images');
  const labels = parseIdx(lblFile.bytes, lblFile.path, 'labels');
  const [available, height, width] = images.dims as [number, number, number];
  const labelCount = labels.dims[0]!;
  if (available !== labelCount) {
    throw new DatasetCountMismatchError(imgFile.path, available, lblFile.path, labelCount);
  }
  const count = resolveLimit(limit, available, field);
  const labelBytes = labels.data.subarray(0, count);
  const bad = labelBytes.findIndex((l) => l >= FASHION_MNIST_CLASS_NAMES.length);
  if (bad >= 0) {
    throw new DatasetCorruptError(
      lblFile.path,
      `label ${labelBytes[bad]} at index ${bad} is outside 0..${FASHION_MNIST_CLASS_NAMES.length - 1}`,
    );
  }
  // Convert only the kept prefix: a 1k-example trial should not pay for 60k floats.
  return {
    split: {
      images: bytesToUnitFloats(images.data.subarray(0, count * height * width)),
      labels: bytesToLabels(labelBytes),
      count,
    },
    height,
    width,
    imagesFile: imgFile.path,
  };
}

/**
 * Load Fashion-MNIST from the four IDX files (gzipped, as Debian ships them, or unpacked).
 * Images come out as 28×28×1 float32 in [0, 1]; limits keep the first N examples (see limits.ts).
 */
export async function loadFashionMnist(opts: DatasetFilesOptions): Promise<Dataset> {
  await checkBeforeLoading(opts, HINT);
  const [train, test] = await Promise.all([
    loadSplit(opts.dir, 'train', opts.trainLimit, 'trainLimit'),
    loadSplit(opts.dir, 't10k', opts.testLimit, 'testLimit'),
  ]);
  if (train.height !== test.height || train.width !== test.width) {
    throw new DatasetCorruptError(
      test.imagesFile,
      `images are ${test.height}×${test.width} but the training images ('${train.imagesFile}') are ${train.height}×${train.width}`,
    );
  }
  return {
    name: 'fashion-mnist',
    height: train.height,
    width: train.width,
    channels: 1,
    classes: FASHION_MNIST_CLASS_NAMES.length,
    classNames: [...FASHION_MNIST_CLASS_NAMES],
    train: train.split,
    test: test.split,
  };
}
