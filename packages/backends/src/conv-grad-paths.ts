import type { TensorInfo } from '@tensorflow/tfjs';
import type { ConvGeometry } from './conv-geometry.ts';
import { FastPathRefusedError, WasmOutOfMemoryError } from './errors.ts';
import { cropNhwc, WasmScope, type WasmBackend } from './wasm-scope.ts';

/**
 * How the wasm conv-gradient kernels compute:
 * - `xnnpack`: the whole batch as one forward XNNPACK convolution (fast);
 * - `xnnpack-split`: the same on slices of the batch, summed or stacked (needs a fraction of the
 *   heap: XNNPACK's refusals are out-of-memory while it packs a filter the size of dy);
 * - `direct`: plain loops (slow, always correct, no working memory).
 * `auto` tries them in that order and remembers, per shape, which one worked.
 */
export type ConvGradPath = 'auto' | 'xnnpack' | 'xnnpack-split' | 'direct';
export type ConvGradKernel = 'Conv2DBackpropFilter' | 'Conv2DBackpropInput';
export type ConvGradStats = Record<ConvGradKernel, Record<Exclude<ConvGradPath, 'auto'>, number>>;

/**
 * One conv-gradient kernel's implementations. `other` is the kernel's second input: x for dW (batched
 * like dy, so sliced with it), the filter for dx (shared by the whole batch).
 */
export interface ConvGradImpl {
  kernel: ConvGradKernel;
  otherIsBatched: boolean;
  outShape(g: ConvGeometry): number[];
  xnnpack(scope: WasmScope, dy: TensorInfo, other: TensorInfo, g: ConvGeometry): TensorInfo;
  direct(scope: WasmScope, dy: TensorInfo, other: TensorInfo, g: ConvGeometry): TensorInfo;
}

let forced: ConvGradPath = 'auto';
/** Shapes on which the whole-batch XNNPACK path was refused: how many batch slices worked (0 = none). */
const refusedShapes = new Map<string, number>();
const stats: ConvGradStats = {
  Conv2DBackpropFilter: { xnnpack: 0, 'xnnpack-split': 0, direct: 0 },
  Conv2DBackpropInput: { xnnpack: 0, 'xnnpack-split': 0, direct: 0 },
};

/**
 * Forces one path for every later call (tests, diagnostics); `auto` restores the normal choice.
 * A forced `xnnpack` path throws where XNNPACK refuses; a forced `xnnpack-split` uses two slices.
 */
export function forceConvGradPath(path: ConvGradPath): void {
  forced = path;
}

/** How many calls took each path since the process started (or the last reset). */
export function getConvGradStats(): ConvGradStats {
  return structuredClone(stats);
}

export function resetConvGradStats(): void {
  for (const kernel of Object.values(stats)) {
    for (const path of Object.keys(kernel) as (keyof typeof kernel)[]) kernel[path] = 0;
  }
  refusedShapes.clear();
}

export function runConvGrad(
  impl: ConvGradImpl,
  backend: WasmBackend,
  dy: TensorInfo,
  other: TensorInfo,
  g: ConvGeometry,
): TensorInfo {
  if (forced === 'direct') return attempt(impl, backend, 'direct', 1, dy, other, g);
  if (forced === 'xnnpack') return attempt(impl, backend, 'xnnpack', 1, dy, other, g);
  if (forced === 'xnnpack-split')
    return attempt(impl, backend, 'xnnpack-split', Math.min(2, g.batch), dy, other, g);

  const key = `${impl.kernel}:${JSON.stringify(g)}`;
  const known = refusedShapes.get(key);
  if (known === undefined) {
    try {
      return attempt(impl, backend, 'xnnpack', 1, dy, other, g);
    } catch (error) {
      if (!isRefusal(error)) throw error;
    }
  }
  if (known !== 0) {
    // More and smaller slices until XNNPACK accepts them; one image per slice is the last try.
    for (const slices of sliceCounts(g.batch, known ?? 2)) {
      try {
        const result = attempt(impl, backend, 'xnnpack-split', slices, dy, other, g);
        refusedShapes.set(key, slices);
        return result;
      } catch (error) {
        if (!isRefusal(error)) throw error;
      }
    }
  }
  refusedShapes.set(key, 0);
  return attempt(impl, backend, 'direct', 1, dy, other, g);
}

/** `from, 2·from, 4·from, …, batch` (empty when `from > batch`). */
function sliceCounts(batch: number, from: number): number[] {
  const counts: number[] = [];
  for (let s = from; s < batch; s *= 2) counts.push(s);
  if (from <= batch) counts.push(batch);
  return counts;
}

function isRefusal(error: unknown): boolean {
  return error instanceof FastPathRefusedError || error instanceof WasmOutOfMemoryError;
}

function attempt(
  impl: ConvGradImpl,
  backend: WasmBackend,
  path: Exclude<ConvGradPath, 'auto'>,
  slices: number,
  dy: TensorInfo,
  other: TensorInfo,
  g: ConvGeometry,
): TensorInfo {
  const scope = new WasmScope(backend);
  try {
    let out: TensorInfo;
    if (path === 'direct') out = impl.direct(scope, dy, other, g);
    else if (path === 'xnnpack') out = impl.xnnpack(scope, dy, other, g);
    else out = bySlices(impl, scope, dy, other, g, slices);
    stats[impl.kernel][path]++;
    return scope.keep(out);
  } finally {
    scope.dispose();
  }
}

/**
 * The XNNPACK path on `slices` consecutive slices of the batch: a gradient w.r.t. the filter is the
 * sum of the slices' gradients, one w.r.t. the input is their concatenation.
 */
function bySlices(
  impl: ConvGradImpl,
  scope: WasmScope,
  dy: TensorInfo,
  other: TensorInfo,
  g: ConvGeometry,
  slices: number,
): TensorInfo {
  const out = scope.alloc(impl.outShape(g));
  const sum = impl.otherIsBatched ? new Float64Array(out.shape.reduce((a, b) => a * b, 1)) : null;
  const perSlice = Math.ceil(g.batch / slices);
  for (let b0 = 0; b0 < g.batch; b0 += perSlice) {
    const n = Math.min(perSlice, g.batch - b0);
    const sliceScope = new WasmScope(scope.backend);
    try {
      const dyPart = cropNhwc(sliceScope, dy, { b0, n, h0: 0, h: g.outH, w0: 0, w: g.outW });
      const otherPart = impl.otherIsBatched
        ? cropNhwc(sliceScope, other, { b0, n, h0: 0, h: g.inH, w0: 0, w: g.inW })
        : other;
      const part = sliceScope.view(impl.xnnpack(sliceScope, dyPart, otherPart, { ...g, batch: n }));
      if (sum != null) {
        for (let i = 0; i < part.length; i++) sum[i]! += part[i] as number;
      } else {
        scope.view(out).set(part, b0 * g.inH * g.inW * g.inC);
      }
    } finally {
      sliceScope.dispose();
    }
  }
  if (sum != null) scope.view(out).set(sum);
  return out;
}
