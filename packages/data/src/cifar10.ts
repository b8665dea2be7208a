import { join } from 'node:path';
import { CIFAR10_CHANNELS, CIFAR10_CLASSES, CIFAR10_SIZE, parseCifar10Batch } from './cifar10-format.ts';
import { bytesToLabels, bytesToUnitFloats, type Dataset, type Split } from './dataset.ts';
import { DatasetNotFoundError } from './errors.ts';
import { resolveLimit } from './limits.ts';
import { checkBeforeLoading, type DatasetFilesOptions, readIfExists } from './read-dataset-file.ts';

export const CIFAR10_CLASS_NAMES: readonly string[] = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];

const HINT =
  "pass the 'cifar-10-batches-bin' directory unpacked from the CIFAR-10 binary version (cifar-10-binary.tar.gz)";
const TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
const TEST_FILE = 'test_batch.bin';
const PIXELS = CIFAR10_SIZE * CIFAR10_SIZE * CIFAR10_CHANNELS;

/** Concatenate decoded batches, keeping only the first `limit` examples (undefined = all). */
function concatSplit(
  batches: { images: Uint8Array; labels: Uint8Array; count: number }[],
  limit: number | undefined,
  field: string,
): Split {
  const available = batches.reduce((s, b) => s + b.count, 0);
  const count = resolveLimit(limit, available, field);
  const images = new Float32Array(count * PIXELS);
  const labels = new Int32Array(count);
  let filled = 0;
  for (const b of batches) {
    if (filled >= count) break;
    const take = Math.min(b.count, count - filled);
    images.set(bytesToUnitFloats(b.images.subarray(0, take * PIXELS)), filled * PIXELS);
    labels.set(bytesToLabels(b.labels.subarray(0, take)), filled);
    filled += take;
  }
  return { images, labels, count };
}

/**
 * Load CIFAR-10 (binary version): whichever of data_batch_1..5.bin exist (at least one), in
 * order, plus test_batch.bin. Images come out as 32×32×3 NHWC float32 in [0, 1].
 */
export async function loadCifar10(opts: DatasetFilesOptions): Promise<Dataset> {
  await checkBeforeLoading(opts, HINT);

  const trainBatches: ReturnType<typeof parseCifar10Batch>[] = [];
  let loaded = 0;
  for (const name of TRAIN_FILES) {
    // Stop reading once the limit is covered: a small trial should not decode 50k images.
    if (opts.trainLimit !== undefined && loaded >= opts.trainLimit) break;
    const path = join(opts.dir, name);
    const bytes = await readIfExists(path);
    if (bytes === undefined) continue;
    const batch = parseCifar10Batch(bytes, path);
    trainBatches.push(batch);
    loaded += batch.count;
  }
  if (trainBatches.length === 0) {
    throw new DatasetNotFoundError(
      join(opts.dir, TRAIN_FILES[0]!),
      'does not exist (nor do data_batch_2..5.bin; at least one training batch is needed)',
      HINT,
    );
  }
  const testPath = join(opts.dir, TEST_FILE);
  const testBytes = await readIfExists(testPath);
  if (testBytes === undefined) throw new DatasetNotFoundError(testPath, 'does not exist', HINT);
  const testBatch = parseCifar10Batch(testBytes, testPath);

  return {
    name: 'cifar10',
    height: CIFAR10_SIZE,
    width: CIFAR10_SIZE,
    channels: CIFAR10_CHANNELS,
    classes: CIFAR10_CLASSES,
    classNames: [...CIFAR10_CLASS_NAMES],
    train: concatSplit(trainBatches, opts.trainLimit, 'trainLimit'),
    test: concatSplit([testBatch], opts.testLimit, 'testLimit'),
  };
}
