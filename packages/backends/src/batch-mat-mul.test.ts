import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { onBackend, relativeError, seeded } from './backend-comparison.ts';
import { selectBackend } from './select-backend.ts';

type Product = [a: number[], b: number[], transposeA: boolean, transposeB: boolean];

// Every transpose combination, dense-gradient shapes that take either plan, batch dims of size 1
// (kept in the output shape) and a batched product (left to tfjs's own kernel).
const PRODUCTS: Product[] = [
  [[5, 7], [7, 3], false, false],
  [[7, 5], [7, 3], true, false],
  [[5, 7], [3, 7], false, true],
  [[7, 5], [3, 7], true, true],
  [[64, 300], [64, 10], true, false], // dense dW = xᵀ·dy
  [[64, 10], [300, 10], false, true], // dense dx = dy·Wᵀ, packs dyᵀ instead of Wᵀ
  [[1, 7, 5], [7, 3], true, false],
  [[5, 7], [1, 3, 7], false, true],
  [[2, 7, 5], [2, 7, 3], true, false],
];

function product([aShape, bShape, ta, tb]: Product, seed: number): { values: Float32Array; shape: number[] } {
  return tf.tidy(() => {
    const a = tf.tensor(
      seeded(
        seed,
        aShape.reduce((x, y) => x * y),
      ),
      aShape,
    );
    const b = tf.tensor(
      seeded(
        seed + 1,
        bShape.reduce((x, y) => x * y),
      ),
      bShape,
    );
    const c = tf.matMul(a, b, ta, tb);
    return { values: c.dataSync() as Float32Array, shape: c.shape };
  });
}

beforeAll(async () => {
  await selectBackend('cpu');
  await selectBackend('wasm');
});

describe('BatchMatMul on wasm', () => {
  it.each(PRODUCTS.map((p, i) => [JSON.stringify(p), p, i] as const))(
    'matches the cpu backend: %s',
    async (_, p, i) => {
      const cpu = await onBackend('cpu', () => product(p, i));
      const wasm = await onBackend('wasm', () => product(p, i));
      expect(wasm.shape).toEqual(cpu.shape);
      expect(relativeError(wasm.values, cpu.values)).toBeLessThanOrEqual(1e-5);
    },
  );

  it('leaks no wasm buffer on either plan', async () => {
    await tf.setBackend('wasm');
    const run = () => {
      product(PRODUCTS[4]!, 1);
      product(PRODUCTS[5]!, 1);
      product(PRODUCTS[6]!, 1);
    };
    run();
    const { numTensors, numDataBuffers } = tf.memory();
    for (let i = 0; i < 3; i++) run();
    expect(tf.memory()).toMatchObject({ numTensors, numDataBuffers });
  });
});
