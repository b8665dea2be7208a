import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { onBackend, relativeError } from './backend-comparison.ts';
import { CASES, type Case, convGrads, type Grads, label } from './conv-grad-cases.ts';
import {
  type ConvGradPath,
  forceConvGradPath,
  getConvGradStats,
  resetConvGradStats,
} from './conv-grad-paths.ts';
import { FastPathRefusedError, UnsupportedConvGradError } from './errors.ts';
import { registerWasmTrainingKernels } from './register-wasm-training-kernels.ts';
import { selectBackend } from './select-backend.ts';
import { asWasmBackend, setFastPathMemoryLimit, WasmScope } from './wasm-scope.ts';
import { xnnpackConv2d } from './xnnpack-conv2d.ts';

const reference = new Map<Case, Grads>();

beforeAll(async () => {
  await selectBackend('cpu'); // quiet: no "install the node backend" banner
  for (const [i, c] of CASES.entries()) reference.set(c, await onBackend('cpu', () => convGrads(c, 100 + i)));
  await selectBackend('wasm');
});

afterEach(() => {
  forceConvGradPath('auto');
  setFastPathMemoryLimit(null);
  resetConvGradStats();
});

describe.each<ConvGradPath>(['auto', 'xnnpack-split', 'direct'])('wasm conv gradients, path %s', (path) => {
  it.each(CASES.map((c, i) => [label(c), c, i] as const))('match the cpu backend: %s', async (_, c, i) => {
    forceConvGradPath(path);
    const wasm = await onBackend('wasm', () => convGrads(c, 100 + i));
    const cpu = reference.get(c)!;
    expect(relativeError(wasm.dw, cpu.dw)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(wasm.dx, cpu.dx)).toBeLessThanOrEqual(1e-4);
    const expected = path === 'auto' ? 'xnnpack' : path;
    const stats = getConvGradStats();
    expect(stats.Conv2DBackpropFilter[expected]).toBe(1);
    expect(stats.Conv2DBackpropInput[expected]).toBe(1);
  });
});

describe('fallbacks when XNNPACK cannot have the memory', () => {
  const c = CASES.at(-1)!; // batch 4
  const i = CASES.length - 1;

  it('auto takes batch slices when the whole batch does not fit, and gives the same gradients', async () => {
    await tf.setBackend('wasm');
    // dW needs |x| + 3.2·|dy| + … ≈ 195 KB of heap for the whole batch, ≈ 102 KB for half of it and
    // ≈ 55 KB for one image; dx needs ≈ 51 KB for the whole batch.
    setFastPathMemoryLimit(80_000);
    const first = convGrads(c, 100 + i);
    const again = convGrads(c, 100 + i); // remembered: goes straight to the slices
    const cpu = reference.get(c)!;
    expect(relativeError(first.dw, cpu.dw)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(first.dx, cpu.dx)).toBeLessThanOrEqual(1e-4);
    expect(again).toEqual(first);
    const stats = getConvGradStats();
    expect(stats.Conv2DBackpropFilter).toEqual({ xnnpack: 0, 'xnnpack-split': 2, direct: 0 });
  });

  it('auto ends with the direct loops when not even one image fits', async () => {
    await tf.setBackend('wasm');
    setFastPathMemoryLimit(1_000);
    const wasm = convGrads(c, 100 + i);
    const cpu = reference.get(c)!;
    expect(relativeError(wasm.dw, cpu.dw)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(wasm.dx, cpu.dx)).toBeLessThanOrEqual(1e-4);
    expect(getConvGradStats().Conv2DBackpropFilter).toEqual({ xnnpack: 0, 'xnnpack-split': 0, direct: 1 });
    expect(getConvGradStats().Conv2DBackpropInput).toEqual({ xnnpack: 0, 'xnnpack-split': 0, direct: 1 });
  });

  it('a forced xnnpack path reports the refusal instead of falling back', async () => {
    await tf.setBackend('wasm');
    forceConvGradPath('xnnpack');
    setFastPathMemoryLimit(1_000);
    expect(() => convGrads(c, 1)).toThrow(FastPathRefusedError);
  });
});

describe('XNNPACK refusal detection', () => {
  it('turns an operator XNNPACK rejects (it only prints a status) into an error, freeing its output', async () => {
    await tf.setBackend('wasm');
    const backend = asWasmBackend(tf.backend());
    const scope = new WasmScope(backend);
    const buffers = tf.memory().numDataBuffers;
    try {
      const x = scope.alloc([1, 5, 5, 2]);
      const w = scope.alloc([3, 3, 2, 2]);
      scope.view(x).fill(1);
      scope.view(w).fill(1);
      const pad = { top: 1, bottom: 1, left: 1, right: 1 };
      expect(scope.view(xnnpackConv2d(scope, x, w, [1, 1], pad))[12]).toBe(18); // 3×3×2 ones
      // Dilation 0 is invalid for XNNPACK (status 2): the call returns with the output unwritten.
      expect(() => xnnpackConv2d(scope, x, w, [0, 0], pad)).toThrow(/status 2/);
    } finally {
      scope.dispose();
    }
    expect(tf.memory().numDataBuffers).toBe(buffers);
  });
});

describe('registerWasmTrainingKernels', () => {
  it('is idempotent and leaves the kernels it registered in place', () => {
    const before = tf.getKernel('Conv2DBackpropFilter', 'wasm');
    registerWasmTrainingKernels();
    registerWasmTrainingKernels();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBe(before);
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).toBeTypeOf('function');
  });

  it('leaks neither tensors nor wasm buffers over repeated training-like steps', async () => {
    await tf.setBackend('wasm');
    const c = CASES[1]!;
    convGrads(c, 5);
    const { numTensors, numDataBuffers, numBytes } = tf.memory();
    for (let step = 0; step < 5; step++) convGrads(c, 5);
    expect(tf.memory()).toMatchObject({ numTensors, numDataBuffers, numBytes });
  });

  it('rejects NCHW with an error that names the field', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 2, 5, 5]);
    const dy = tf.zeros([1, 2, 5, 5]);
    try {
      const attrs = { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 2] };
      expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs)).toThrow(
        UnsupportedConvGradError,
      );
      expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs)).toThrow(
        /dataFormat "NCHW"/,
      );
    } finally {
      tf.dispose([x, dy]);
    }
  });
});
