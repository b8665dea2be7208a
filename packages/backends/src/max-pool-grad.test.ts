import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { onBackend, relativeError, seeded } from './backend-comparison.ts';
import { selectBackend } from './select-backend.ts';

interface PoolCase {
  x: [number, number, number, number];
  size: number;
  stride: number;
  pad: 'same' | 'valid';
  /** What feeds the pool: raw values (windows of negatives), a ReLU, or few distinct values (ties). */
  input: 'raw' | 'relu' | 'ties';
}

const CASES: PoolCase[] = [
  { x: [2, 8, 8, 3], size: 2, stride: 2, pad: 'valid', input: 'raw' },
  { x: [2, 9, 9, 3], size: 2, stride: 2, pad: 'valid', input: 'relu' },
  { x: [1, 9, 7, 5], size: 2, stride: 2, pad: 'same', input: 'raw' },
  { x: [3, 15, 15, 4], size: 3, stride: 2, pad: 'same', input: 'raw' }, // overlapping (ResNet stem)
  { x: [2, 7, 7, 1], size: 3, stride: 1, pad: 'same', input: 'ties' },
  { x: [2, 8, 8, 2], size: 2, stride: 2, pad: 'valid', input: 'ties' },
];

const label = (c: PoolCase) => `x ${c.x.join('×')}, pool ${c.size}/${c.stride} ${c.pad}, ${c.input} input`;

function poolGrad(c: PoolCase, seed: number): Float32Array {
  return tf.tidy(() => {
    const n = c.x.reduce((a, b) => a * b);
    const values = seeded(seed, n);
    if (c.input === 'ties') for (let i = 0; i < n; i++) values[i] = Math.floor((values[i] as number) * 3);
    const x = tf.tensor4d(values, c.x);
    const f = (t: tf.Tensor) =>
      tf.maxPool((c.input === 'relu' ? tf.relu(t) : t) as tf.Tensor4D, c.size, c.stride, c.pad);
    const yShape = f(x).shape;
    const dy = tf.tensor(
      seeded(
        seed + 1,
        yShape.reduce((a, b) => a * b),
      ),
      yShape,
    );
    return tf.grad(f)(x, dy).dataSync() as Float32Array;
  });
}

beforeAll(async () => {
  await selectBackend('cpu');
  await selectBackend('wasm');
});

describe('MaxPoolGrad on wasm', () => {
  it.each(CASES.map((c, i) => [label(c), c, i] as const))('matches the cpu backend: %s', async (_, c, i) => {
    const cpu = await onBackend('cpu', () => poolGrad(c, 10 + i));
    const wasm = await onBackend('wasm', () => poolGrad(c, 10 + i));
    expect(relativeError(wasm, cpu)).toBeLessThanOrEqual(1e-6);
  });

  it('gives each window of equal values its first position, as the cpu backend does', async () => {
    await tf.setBackend('wasm');
    const dx = tf.tidy(() => {
      const x = tf.zeros([1, 4, 4, 1]);
      return tf
        .grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid'))(x, tf.ones([1, 2, 2, 1]))
        .arraySync();
    });
    expect(dx).toEqual([
      [
        [[1], [0], [1], [0]],
        [[0], [0], [0], [0]],
        [[1], [0], [1], [0]],
        [[0], [0], [0], [0]],
      ],
    ]);
  });

  it('leaks no wasm buffer', async () => {
    await tf.setBackend('wasm');
    poolGrad(CASES[3]!, 1);
    const { numTensors, numDataBuffers } = tf.memory();
    for (let i = 0; i < 3; i++) poolGrad(CASES[3]!, 1);
    expect(tf.memory()).toMatchObject({ numTensors, numDataBuffers });
  });
});
