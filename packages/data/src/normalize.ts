import type { Dataset, Split } from './dataset.ts';

/**
 * Standardise each channel with the TRAIN split's mean and standard deviation, applied to both
 * splits (the test split must not leak into its own preprocessing). Pure: returns a new Dataset
 * and leaves the input untouched. Statistics accumulate in float64: a float32 sum over 47M
 * Fashion-MNIST pixels would lose several digits.
 */
export function normalize(ds: Dataset): Dataset {
  const { mean, std } = channelStats(ds.train, ds.channels);
  return {
    ...ds,
    train: applyStandardization(ds.train, mean, std),
    test: applyStandardization(ds.test, mean, std),
  };
}

/** Per-channel mean and population standard deviation of an NHWC split. */
export function channelStats(split: Split, channels: number): { mean: Float64Array; std: Float64Array } {
  const sum = new Float64Array(channels);
  const sumSq = new Float64Array(channels);
  const x = split.images;
  // Two passes (mean first, then squared deviations) avoid the cancellation of E[x²] − E[x]².
  for (let i = 0; i < x.length; i++) sum[i % channels]! += x[i]!;
  const perChannel = x.length / channels;
  const mean = sum.map((s) => (perChannel > 0 ? s / perChannel : 0));
  for (let i = 0; i < x.length; i++) {
    const d = x[i]! - mean[i % channels]!;
    sumSq[i % channels]! += d * d;
  }
  // A constant channel has std 0; dividing by 1 instead keeps it finite (it becomes all zeros).
  const std = sumSq.map((s) => {
    const sd = perChannel > 0 ? Math.sqrt(s / perChannel) : 0;
    return sd > 1e-12 ? sd : 1;
  });
  return { mean, std };
}

function applyStandardization(split: Split, mean: Float64Array, std: Float64Array): Split {
  const channels = mean.length;
  const x = split.images;
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = i % channels;
    out[i] = (x[i]! - mean[c]!) / std[c]!;
  }
  // Labels are shared, not copied: nothing in satfarm writes to a split's labels.
  return { images: out, labels: split.labels, count: split.count };
}
