import * as tf from '@tensorflow/tfjs';
import { seeded } from './backend-comparison.ts';

/*
 * Convolution geometries and gradients shared by the tests that compare a backend's gradient kernels
 * with tfjs's cpu reference (wasm and webgpu).
 */

export type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
export interface Case {
  x: [number, number, number, number];
  outC: number;
  k: number;
  strides: number | [number, number];
  pad: Pad;
}

// Strides 1/2/3, same/valid/explicit (also wider than the kernel), kernels 1/3/4/5/7, odd and
// non-square sizes, batch 1 and >1, inC ≠ outC, inC = 1, outC = 1. The batch-4 case stays last
// (the wasm fallback tests size their memory limits for it).
export const CASES: Case[] = [
  { x: [2, 9, 9, 3], outC: 4, k: 3, strides: 1, pad: 'same' },
  { x: [2, 9, 9, 3], outC: 4, k: 3, strides: 2, pad: 'same' },
  { x: [2, 9, 9, 3], outC: 4, k: 3, strides: 2, pad: 'valid' },
  { x: [1, 7, 7, 2], outC: 5, k: 5, strides: 2, pad: 'valid' },
  { x: [3, 15, 15, 4], outC: 2, k: 7, strides: 2, pad: 'same' },
  { x: [1, 15, 15, 6], outC: 3, k: 7, strides: 1, pad: 'valid' },
  { x: [3, 7, 9, 5], outC: 6, k: 5, strides: 1, pad: 'same' },
  { x: [2, 8, 8, 3], outC: 4, k: 1, strides: 2, pad: 'valid' },
  { x: [2, 15, 15, 3], outC: 5, k: 1, strides: 1, pad: 'same' },
  { x: [2, 10, 10, 3], outC: 4, k: 3, strides: 3, pad: 'valid' },
  { x: [2, 12, 12, 3], outC: 2, k: 4, strides: 2, pad: 'same' },
  { x: [2, 9, 11, 3], outC: 4, k: 3, strides: [1, 2], pad: 'same' },
  { x: [2, 9, 9, 1], outC: 3, k: 3, strides: 1, pad: 'same' },
  {
    x: [2, 9, 11, 3],
    outC: 4,
    k: 3,
    strides: 1,
    pad: [
      [0, 0],
      [2, 1],
      [0, 3],
      [0, 0],
    ],
  },
  {
    x: [2, 9, 9, 3],
    outC: 4,
    k: 3,
    strides: 2,
    pad: [
      [0, 0],
      [4, 0],
      [0, 4],
      [0, 0],
    ],
  },
  // inC = outC = 1 over 663 output pixels: webgpu's tiled kernel splits them in two (the second
  // split shorter), and its 25 filter rows are not a multiple of its 32-row tile.
  { x: [3, 17, 13, 1], outC: 1, k: 5, strides: 1, pad: 'same' },
  // Stride 3 with uneven explicit padding over 672 output pixels (two splits on webgpu).
  {
    x: [12, 23, 22, 2],
    outC: 3,
    k: 4,
    strides: 3,
    pad: [
      [0, 0],
      [1, 2],
      [2, 0],
      [0, 0],
    ],
  },
  { x: [4, 14, 14, 8], outC: 16, k: 3, strides: 1, pad: 'same' },
];

export const label = (c: Case) =>
  `x ${c.x.join('×')} → ${c.outC}, k${c.k}, stride ${c.strides}, ${JSON.stringify(c.pad)}`;

export interface Grads {
  dx: Float32Array;
  dw: Float32Array;
}

/** dL/dx and dL/dW of `sum(conv2d(x, W) · dy)` on the current backend, through tfjs's own gradient. */
function convGradTensors(c: Case, seed: number): [tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const wShape: [number, number, number, number] = [c.k, c.k, c.x[3], c.outC];
    const x = tf.tensor4d(
      seeded(
        seed,
        c.x.reduce((a, b) => a * b),
      ),
      c.x,
    );
    const w = tf.tensor4d(
      seeded(
        seed + 1,
        wShape.reduce((a, b) => a * b),
      ),
      wShape,
    );
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad);
    const yShape = f(x, w).shape;
    const dy = tf.tensor(
      seeded(
        seed + 2,
        yShape.reduce((a, b) => a * b),
      ),
      yShape,
    );
    const [dx, dw] = tf.grads(f)([x, w], dy);
    return [dx!, dw!];
  });
}

/** The gradients, read synchronously (cpu, wasm). */
export function convGrads(c: Case, seed: number): Grads {
  const [dx, dw] = convGradTensors(c, seed);
  try {
    return { dx: dx.dataSync() as Float32Array, dw: dw.dataSync() as Float32Array };
  } finally {
    tf.dispose([dx, dw]);
  }
}

/** The gradients, read asynchronously: webgpu in Node cannot read synchronously. */
export async function convGradsAsync(c: Case, seed: number): Promise<Grads> {
  const [dx, dw] = convGradTensors(c, seed);
  try {
    return { dx: (await dx.data()) as Float32Array, dw: (await dw.data()) as Float32Array };
  } finally {
    tf.dispose([dx, dw]);
  }
}
