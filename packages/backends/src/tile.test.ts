import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { onBackend, seeded } from './backend-comparison.ts';
import { selectBackend } from './select-backend.ts';

type TileCase = [shape: number[], reps: number[], dtype: 'float32' | 'int32' | 'bool'];

const CASES: TileCase[] = [
  [[1, 1, 1, 8], [4, 5, 3, 1], 'float32'], // batchNorm gradient: a per-channel scale over NHWC
  [[2, 3], [3, 2], 'float32'],
  [[2, 3, 4], [1, 1, 3], 'float32'], // only the last dimension repeats
  [[2, 3, 4], [2, 1, 1], 'float32'],
  [[3, 1, 2], [1, 4, 1], 'int32'],
  [[5], [3], 'bool'],
  [[2, 2], [1, 1], 'float32'], // nothing repeats
  [[0, 3], [2, 2], 'float32'], // empty
];

function tiled([shape, reps, dtype]: TileCase, seed: number): { values: number[]; shape: number[] } {
  return tf.tidy(() => {
    const raw = Array.from(
      seeded(
        seed,
        shape.reduce((a, b) => a * b, 1),
      ),
      (v) => Math.round(v * 100),
    );
    const x =
      dtype === 'bool'
        ? tf.tensor(
            raw.map((v) => v > 0),
            shape,
            'bool',
          )
        : tf.tensor(raw, shape, dtype);
    const y = tf.tile(x, reps);
    return { values: Array.from(y.dataSync()), shape: y.shape };
  });
}

beforeAll(async () => {
  await selectBackend('cpu');
  await selectBackend('wasm');
});

describe('Tile on wasm', () => {
  it.each(CASES.map((c, i) => [JSON.stringify(c), c, i] as const))(
    'equals the cpu backend: %s',
    async (_, c, i) => {
      const cpu = await onBackend('cpu', () => tiled(c, i));
      const wasm = await onBackend('wasm', () => tiled(c, i));
      expect(wasm).toEqual(cpu);
    },
  );

  it('leaks no wasm buffer', async () => {
    await tf.setBackend('wasm');
    tiled(CASES[0]!, 1);
    const { numTensors, numDataBuffers } = tf.memory();
    for (let i = 0; i < 3; i++) tiled(CASES[0]!, 1);
    expect(tf.memory()).toMatchObject({ numTensors, numDataBuffers });
  });
});
