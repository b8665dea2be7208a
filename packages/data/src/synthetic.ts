import type { Dataset, Split } from './dataset.ts';
import { InvalidDatasetOptionError } from './errors.ts';
import { createRng, mixSeeds, shuffleInPlace } from './rng.ts';

/**
 * A small seeded dataset that needs no files, for tests, demos and smoke runs. It must be
 * LEARNABLE: a small CNN should get well above chance in an epoch or two, otherwise a broken
 * training loop and a working one look alike. Each class c is a fixed spatial pattern:
 *   - a bar through the centre at angle π·c/classes (orientation: what conv filters pick up), and
 *   - a blob on a ring around the centre at angle 2π·c/classes (position: a second, easy cue),
 * drawn with a random sub-pixel shift (±1 px), a random contrast (0.7..1) and Gaussian noise
 * (σ 0.15), clipped to [0, 1] like real images. With several channels each class also gets its
 * own colour (per-channel gain), so colour carries signal too.
 */

const NOISE_SIGMA = 0.15;
const JITTER_PX = 1;

function checkCount(field: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new InvalidDatasetOptionError(field, value, `an integer >= ${min}`);
  }
}

/** Standard normal from two uniforms (Box–Muller); `1 - u` keeps the log argument in (0, 1]. */
function gaussian(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

function makeSplit(rng: () => number, count: number, size: number, channels: number, classes: number): Split {
  const ppi = size * size * channels;
  const images = new Float32Array(count * ppi);
  // Balanced labels (class i mod classes), then shuffled: every prefix is near-balanced too.
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) labels[i] = i % classes;
  shuffleInPlace(labels, rng);

  const centre = (size - 1) / 2;
  const barHalfWidth = Math.max(0.6, size / 16);
  const blobSigma = Math.max(0.8, size / 10);
  const ring = size * 0.28;
  for (let n = 0; n < count; n++) {
    const c = labels[n]!;
    const theta = (Math.PI * c) / classes;
    const phi = (2 * Math.PI * c) / classes;
    const dx = (rng() * 2 - 1) * JITTER_PX;
    const dy = (rng() * 2 - 1) * JITTER_PX;
    const contrast = 0.7 + 0.3 * rng();
    const cx = centre + dx;
    const cy = centre + dy;
    const bx = cx + ring * Math.cos(phi);
    const by = cy + ring * Math.sin(phi);
    const gains = Array.from({ length: channels }, (_, ch) =>
      channels === 1 ? 1 : 0.75 + 0.25 * Math.cos(2 * Math.PI * (c / classes + ch / channels)),
    );
    const nx = -Math.sin(theta); // unit normal of the bar's direction (cos θ, sin θ)
    const ny = Math.cos(theta);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const dPerp = (x - cx) * nx + (y - cy) * ny;
        const bar = Math.exp(-(dPerp * dPerp) / (2 * barHalfWidth * barHalfWidth));
        const r2 = (x - bx) ** 2 + (y - by) ** 2;
        const blob = Math.exp(-r2 / (2 * blobSigma * blobSigma));
        const pattern = contrast * Math.max(0.6 * bar, blob);
        for (let ch = 0; ch < channels; ch++) {
          const v = 0.1 + gains[ch]! * pattern + NOISE_SIGMA * gaussian(rng);
          images[n * ppi + (y * size + x) * channels + ch] = Math.min(1, Math.max(0, v));
        }
      }
    }
  }
  return { images, labels, count };
}

export function syntheticDataset(opts: {
  seed: number;
  trainCount: number;
  testCount: number;
  size?: number;
  channels?: number;
  classes?: number;
}): Dataset {
  const size = opts.size ?? 16;
  const channels = opts.channels ?? 1;
  const classes = opts.classes ?? 4;
  checkCount('trainCount', opts.trainCount, 1);
  checkCount('testCount', opts.testCount, 1);
  checkCount('size', size, 4);
  checkCount('channels', channels, 1);
  checkCount('classes', classes, 2);
  if (!Number.isInteger(opts.seed)) throw new InvalidDatasetOptionError('seed', opts.seed, 'an integer');
  // Separate streams per split: the test set does not change when trainCount does.
  const train = makeSplit(createRng(mixSeeds(opts.seed, 1)), opts.trainCount, size, channels, classes);
  const test = makeSplit(createRng(mixSeeds(opts.seed, 2)), opts.testCount, size, channels, classes);
  return {
    name: 'synthetic',
    height: size,
    width: size,
    channels,
    classes,
    classNames: Array.from({ length: classes }, (_, c) => `pattern-${c}`),
    train,
    test,
  };
}
