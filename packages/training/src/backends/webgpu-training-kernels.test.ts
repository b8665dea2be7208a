import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { relativeError } from './backend-comparison.ts';
import { CASES, type Case, convGradsAsync, type Grads, label } from './conv-grad-cases.ts';
import { selectBackend } from './select-backend.ts';
import { validOutputRange, webgpuConv2dBackpropFilter } from './webgpu-filter-grad.ts';
import { webgpuUnavailable } from './webgpu-probe.ts';

/**
 * Runs wherever Dawn finds an adapter: a GPU, or Mesa's llvmpipe through lavapipe (which
 * infra/scripts/ensure-services.sh installs, so CI runs these on its CPU-only machine). Elsewhere
 * the webgpu cases are skipped and say why; the pure geometry below always runs.
 */
const unavailable = await webgpuUnavailable('webgpu kernel tests');

describe('validOutputRange', () => {
  it('keeps the output positions whose input row is inside the image', () => {
    // 3×3, stride 1, pad 1 on 5 rows: tap 0 misses output row 0, tap 2 misses row 4.
    expect(validOutputRange(0, 1, 1, 5, 5)).toEqual({ first: 1, last: 4 });
    expect(validOutputRange(1, 1, 1, 5, 5)).toEqual({ first: 0, last: 4 });
    expect(validOutputRange(2, 1, 1, 5, 5)).toEqual({ first: 0, last: 3 });
    // stride 2, pad 3 (7×7 stem) on 8 rows → 4 outputs: tap 0 reads rows −3, −1, 1, 3.
    expect(validOutputRange(0, 2, 3, 8, 4)).toEqual({ first: 2, last: 3 });
    // A tap that only ever reads padding has an empty range.
    const r = validOutputRange(0, 1, 4, 2, 3);
    expect(r.last - r.first + 1).toBeLessThanOrEqual(0);
  });
});

describe.skipIf(unavailable !== undefined)('webgpu training kernels', () => {
  const reference = new Map<Case, Grads>();

  beforeAll(async () => {
    await tf.setBackend('cpu');
    for (const [i, c] of CASES.entries()) reference.set(c, await convGradsAsync(c, 100 + i));
    await tf.setBackend('webgpu');
  });

  afterEach(async () => {
    await tf.setBackend('webgpu');
  });

  it('registers the matrix-product filter gradient', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'webgpu')?.kernelFunc).toBe(webgpuConv2dBackpropFilter);
  });

  it.each(CASES.map((c, i) => [label(c), c, i] as const))('match the cpu backend: %s', async (_, c, i) => {
    const gpu = await convGradsAsync(c, 100 + i);
    const cpu = reference.get(c)!;
    expect(relativeError(gpu.dw, cpu.dw)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(gpu.dx, cpu.dx)).toBeLessThanOrEqual(1e-4);
  });

  it('leaks neither tensors nor GPU buffers over repeated steps', async () => {
    const c = CASES[1]!;
    await convGradsAsync(c, 5);
    const { numTensors, numDataBuffers } = tf.memory();
    for (let step = 0; step < 5; step++) await convGradsAsync(c, 5);
    expect(tf.memory()).toMatchObject({ numTensors, numDataBuffers });
  });

  it('gives the filter gradient of a training-sized layer (batch 8, 28 px, 16 → 32)', async () => {
    // Long inner dimension (6,272 pixels): the product runs through tfjs's split-K matmul.
    const c: Case = { x: [8, 28, 28, 16], outC: 32, k: 3, strides: 1, pad: 'same' };
    const gpu = await convGradsAsync(c, 7);
    await tf.setBackend('cpu');
    const cpu = await convGradsAsync(c, 7);
    expect(relativeError(gpu.dw, cpu.dw)).toBeLessThanOrEqual(1e-4);
  });

  it('is not chosen by auto when the adapter is a software one', async () => {
    const chosen = await selectBackend('webgpu');
    const auto = await selectBackend('auto');
    if (chosen.device.includes('software')) expect(auto.name).not.toBe('webgpu');
    else expect(auto.name === 'webgpu' || auto.name === 'tensorflow').toBe(true);
  });
});
