import * as tf from '@tensorflow/tfjs';
import type { KernelBackend, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { relativeError, seeded } from './backend-comparison.ts';
import { CASES, type Case, convGradsAsync, type Grads, label } from './conv-grad-cases.ts';
import { selectBackend } from './select-backend.ts';
import { validOutputRange, webgpuConv2dBackpropFilter } from './webgpu-filter-grad.ts';
import { planTiledFilterGrad, webgpuConv2dBackpropFilterTiled } from './webgpu-filter-grad-tiled.ts';
import { useWebgpuFilterGrad, type WebgpuFilterGrad } from './webgpu-kernel-choice.ts';
import { webgpuUnavailable } from './webgpu-probe.ts';

/**
 * Runs wherever Dawn finds an adapter: a GPU, or Mesa's llvmpipe through lavapipe (which
 * infra/scripts/ensure-services.sh installs, so CI runs these on its CPU-only machine). Elsewhere
 * the webgpu cases are skipped and say why; the pure geometry and tiling plans below always run.
 */
const unavailable = await webgpuUnavailable('webgpu kernel tests');

/** The product sizes of a filter gradient: M = kh·kw·inC, N = outC, K = batch·outH·outW. */
const sizes = (kh: number, inC: number, outC: number, batch: number, outHW: number) =>
  [kh * kh * inC, outC, batch * outHW * outHW] as const;

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

describe('planTiledFilterGrad', () => {
  it('plans the bench CNN at batch 64: splits for the long K, 2 dispatches each', () => {
    // conv1 1 → 16 and conv2 16 → 16 at 28 px, conv3 16 → 32 at 14 px.
    const conv1 = planTiledFilterGrad(...sizes(3, 1, 16, 64, 28));
    expect(conv1).toMatchObject({ tileM: 16, tileN: 16, splits: 196, kPerSplit: 256, dispatches: 2 });
    expect(conv1.workgroups).toEqual([1, 1, 196]);
    // 196 splits: 8 lanes of ≤ 25 partial sums per output, 32 outputs per workgroup.
    expect(conv1).toMatchObject({ reduceLanes: 8, reduceWorkgroups: 5 });
    const conv2 = planTiledFilterGrad(...sizes(3, 16, 16, 64, 28));
    expect(conv2).toMatchObject({ tileM: 32, tileN: 16, splits: 196, kPerSplit: 256 });
    expect(conv2.workgroups).toEqual([1, 5, 196]); // 144 rows = 4.5 tiles of 32
    const conv3 = planTiledFilterGrad(...sizes(3, 16, 32, 64, 14));
    expect(conv3).toMatchObject({ tileM: 32, tileN: 32, splits: 49, kPerSplit: 256, reduceLanes: 2 });
  });

  it('gives a big layer ~2k workgroups at batch 256 and a huge one a single split', () => {
    const big = planTiledFilterGrad(...sizes(3, 16, 16, 256, 28));
    const count = big.workgroups.reduce((a, b) => a * b);
    expect(count).toBeGreaterThanOrEqual(1024);
    expect(count).toBeLessThanOrEqual(2048 + big.workgroups[0] * big.workgroups[1]);
    // vgg-sized 3×3×512×512 at 4 px, batch 128: 2,304 tiles already fill the GPU.
    const huge = planTiledFilterGrad(...sizes(3, 512, 512, 128, 4));
    expect(huge).toMatchObject({ splits: 1, dispatches: 1, reduceWorkgroups: 0 });
    expect(huge.kPerSplit).toBeGreaterThanOrEqual(huge.k);
  });

  it('shrinks tiles to tiny layers and keeps one split for short K', () => {
    expect(planTiledFilterGrad(1, 1, 1)).toMatchObject({
      tileM: 8,
      tileN: 8,
      splits: 1,
      kPerSplit: 32,
      workgroups: [1, 1, 1],
      dispatches: 1,
    });
    expect(planTiledFilterGrad(9, 17, 255)).toMatchObject({ tileM: 16, tileN: 32, splits: 1 });
  });

  it('covers M, N and K exactly once for any sizes', () => {
    for (const m of [1, 7, 9, 25, 144, 4608]) {
      for (const n of [1, 3, 16, 33, 512]) {
        for (const k of [1, 31, 255, 256, 663, 6272, 200_704]) {
          const p = planTiledFilterGrad(m, n, k);
          expect(p.kPerSplit % p.tileK).toBe(0);
          expect(p.splits * p.kPerSplit).toBeGreaterThanOrEqual(k);
          expect((p.splits - 1) * p.kPerSplit).toBeLessThan(k); // no empty split
          expect(p.workgroups[0] * p.tileN).toBeGreaterThanOrEqual(n);
          expect(p.workgroups[1] * p.tileM).toBeGreaterThanOrEqual(m);
          expect((p.workgroups[0] - 1) * p.tileN).toBeLessThan(n);
          expect((p.workgroups[1] - 1) * p.tileM).toBeLessThan(m);
          expect(p.dispatches).toBe(p.splits === 1 ? 1 : 2);
          // Reduction: each thread adds ≤ 32 partial sums (≤ 64 at the 32-lane cap), with the
          // fewest lanes that allow it.
          expect(Math.ceil(p.splits / p.reduceLanes)).toBeLessThanOrEqual(p.reduceLanes === 32 ? 64 : 32);
          if (p.reduceLanes > 1) expect(p.splits).toBeGreaterThan((p.reduceLanes / 2) * 32);
          expect(p.reduceWorkgroups * (256 / p.reduceLanes)).toBeGreaterThanOrEqual(p.splits > 1 ? m * n : 0);
          // Splits only when each gets at least 256 rows of K; partial sums stay under 8 MiB.
          if (p.splits > 1) expect(p.kPerSplit).toBeGreaterThanOrEqual(256);
          expect(p.splits * m * n * 4).toBeLessThanOrEqual(8 * 2 ** 20 + 4 * m * n);
        }
      }
    }
  });

  it('refuses empty or fractional sizes', () => {
    expect(() => planTiledFilterGrad(0, 4, 4)).toThrow(/Invalid M '0'/);
    expect(() => planTiledFilterGrad(4, 4, 1.5)).toThrow(/Invalid K '1.5'/);
  });
});

describe.skipIf(unavailable !== undefined)('webgpu training kernels', () => {
  const reference = new Map<Case, Grads>();
  // Batch 8, 28 px, 16 → 32: K = 6,272 output pixels in 22 splits; M = 144 is 4.5 tiles of 32.
  const training: Case = { x: [8, 28, 28, 16], outC: 32, k: 3, strides: 1, pad: 'same' };

  beforeAll(async () => {
    await tf.setBackend('cpu');
    for (const [i, c] of [...CASES, training].entries()) reference.set(c, await convGradsAsync(c, 100 + i));
    await tf.setBackend('webgpu');
  }, 120_000); // the training-sized case takes tfjs's cpu backend ~10 s

  afterEach(async () => {
    await tf.setBackend('webgpu');
    useWebgpuFilterGrad('tiled');
  });

  afterAll(() => {
    useWebgpuFilterGrad('tiled');
  });

  it('registers the tiled filter gradient by default', async () => {
    useWebgpuFilterGrad('matmul');
    await selectBackend('webgpu');
    expect(tf.getKernel('Conv2DBackpropFilter', 'webgpu')?.kernelFunc).toBe(webgpuConv2dBackpropFilterTiled);
  });

  describe.each<WebgpuFilterGrad>(['tiled', 'matmul'])('%s filter gradient', (which) => {
    it.each(CASES.map((c, i) => [label(c), c, i] as const))(
      'matches the cpu backend: %s',
      async (_, c, i) => {
        useWebgpuFilterGrad(which);
        const gpu = await convGradsAsync(c, 100 + i);
        const cpu = reference.get(c)!;
        expect(relativeError(gpu.dw, cpu.dw)).toBeLessThanOrEqual(1e-4);
        expect(relativeError(gpu.dx, cpu.dx)).toBeLessThanOrEqual(1e-4);
      },
    );
  });

  it('gives the filter gradient of a training-sized layer in several splits (batch 8, 28 px, 16 → 32)', async () => {
    const plan = planTiledFilterGrad(...sizes(3, 16, 32, 8, 28));
    expect(plan.splits).toBeGreaterThan(2);
    expect(plan.k % plan.kPerSplit).not.toBe(0); // the last split is shorter
    expect(plan.m % plan.tileM).not.toBe(0); // the last row tile is half empty
    const gpu = await convGradsAsync(training, 100 + CASES.length);
    expect(relativeError(gpu.dw, reference.get(training)!.dw)).toBeLessThanOrEqual(1e-4);
  });

  it('adds up hundreds of splits across 32 lanes per output (batch 200, 28 px, 1 → 2)', async () => {
    const c: Case = { x: [200, 28, 28, 1], outC: 2, k: 3, strides: 1, pad: 'same' };
    expect(planTiledFilterGrad(...sizes(3, 1, 2, 200, 28))).toMatchObject({ splits: 545, reduceLanes: 32 });
    const gpu = await convGradsAsync(c, 9);
    await tf.setBackend('cpu');
    const cpu = await convGradsAsync(c, 9);
    expect(relativeError(gpu.dw, cpu.dw)).toBeLessThanOrEqual(1e-4);
  });

  it('dispatches twice per call with several splits, once with one, whatever the kernel size', () => {
    const dispatches = (c: Case, which: WebgpuFilterGrad) => countDispatches(c, which);
    // 2×9×9 → 162 output pixels: one split. 4×14×14 → 784: three.
    expect(planTiledFilterGrad(...sizes(3, 3, 4, 2, 9)).splits).toBe(1);
    expect(dispatches(CASES[0]!, 'tiled')).toBe(1);
    expect(planTiledFilterGrad(...sizes(3, 8, 16, 4, 14)).splits).toBe(3);
    expect(dispatches(CASES.at(-1)!, 'tiled')).toBe(2);
    expect(dispatches(CASES[5]!, 'tiled')).toBe(1); // 7×7 filter
    // The per-tap matrix products need at least one dispatch per tap.
    expect(dispatches(CASES.at(-1)!, 'matmul')).toBeGreaterThanOrEqual(9);
  });

  it('leaks neither tensors nor GPU buffers over repeated steps', async () => {
    // tf.memory() counts the engine's tensors; a kernel's own intermediates (the partial sums) are
    // only in the backend's count and its bytes in use.
    const backend = tf.backend() as KernelBackend;
    const usage = () => {
      const { numTensors, numDataBuffers, numBytesInGPU } = tf.memory() as tf.MemoryInfo & {
        numBytesInGPU?: number;
      };
      return { numTensors, numDataBuffers, numBytesInGPU, backendData: backend.numDataIds() };
    };
    for (const c of [CASES[0]!, CASES.at(-1)!]) {
      await convGradsAsync(c, 5);
      const before = usage();
      for (let step = 0; step < 4; step++) await convGradsAsync(c, 5);
      expect(usage()).toEqual(before);
    }
  });

  it('is not chosen by auto when the adapter is a software one', async () => {
    const chosen = await selectBackend('webgpu');
    const auto = await selectBackend('auto');
    if (chosen.device.includes('software')) expect(auto.name).not.toBe('webgpu');
    else expect(auto.name === 'webgpu' || auto.name === 'tensorflow').toBe(true);
  });
});

/**
 * GPU dispatches recorded by one call of the chosen filter-gradient kernel (Dawn's
 * GPUComputePassEncoder, which activateWebgpu installs as a global).
 */
function countDispatches(c: Case, which: WebgpuFilterGrad): number {
  type Dispatch = (...args: number[]) => void;
  const globals = globalThis as unknown as {
    GPUComputePassEncoder?: { prototype: { dispatchWorkgroups: Dispatch } };
  };
  const proto = globals.GPUComputePassEncoder?.prototype;
  if (proto == null) throw new Error('Dawn did not install GPUComputePassEncoder');
  const original = proto.dispatchWorkgroups;
  const kernel = which === 'tiled' ? webgpuConv2dBackpropFilterTiled : webgpuConv2dBackpropFilter;
  const wShape: [number, number, number, number] = [c.k, c.k, c.x[3], c.outC];
  return tf.tidy(() => {
    const x = tf.tensor4d(
      seeded(
        1,
        c.x.reduce((a, b) => a * b),
      ),
      c.x,
    );
    const y = tf.conv2d(x, tf.zeros(wShape), c.strides, c.pad);
    const dy = tf.onesLike(y);
    const backend = tf.backend() as KernelBackend;
    let count = 0;
    proto.dispatchWorkgroups = function (this: unknown, ...args: number[]) {
      count++;
      return original.apply(this, args);
    };
    let dw: TensorInfo;
    try {
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: wShape };
      dw = kernel({ inputs: { x, dy }, backend, attrs: attrs as unknown as NamedAttrMap }) as TensorInfo;
    } finally {
      proto.dispatchWorkgroups = original;
    }
    backend.disposeData(dw.dataId);
    return count;
  });
}
