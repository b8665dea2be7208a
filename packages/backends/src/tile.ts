import type { KernelConfig, KernelFunc, TileAttrs } from '@tensorflow/tfjs';
import { asWasmBackend, sizeOf } from './wasm-scope.ts';

const BYTES: Partial<Record<string, number>> = { float32: 4, int32: 4, bool: 1 };

/**
 * Tile for the wasm backend, replacing its C++ kernel, which computes every output element's
 * source index separately: tiling a BatchNorm scale `[1,1,1,32]` to `[32,28,28,32]`, as tfjs's
 * batchNorm gradient does, took ~100 ms (a conv of that size takes ~5). Here each input row is
 * copied once and every repetition is a block copy inside the heap (memmove). Other dtypes
 * (string, complex64) keep the original kernel.
 */
export function fastTile(original: KernelConfig): KernelFunc {
  return (args) => {
    const { x } = args.inputs;
    if (x == null) throw new TypeError('Tile needs input x');
    const bytes = BYTES[x.dtype];
    if (bytes === undefined) return original.kernelFunc(args);
    const { reps } = args.attrs as unknown as TileAttrs;
    const backend = asWasmBackend(args.backend);
    const inShape = x.shape;
    const outShape = inShape.map((d, i) => d * (reps[i] ?? 1));
    const out = backend.makeOutput(outShape, x.dtype);
    if (sizeOf(outShape) === 0) return out;
    const heap = backend.wasm.HEAPU8;
    const src = backend.dataIdMap.get(x.dataId)?.memoryOffset ?? 0;
    const dst = backend.dataIdMap.get(out.dataId)?.memoryOffset ?? 0;
    if (src === 0 || dst === 0) {
      backend.disposeData(out.dataId);
      throw new TypeError('Tile: tensor is not on the wasm heap');
    }
    const rank = inShape.length;
    // Bytes spanned by one index step of each dimension, in the input and in the output.
    const inStep = new Array<number>(rank);
    const outStep = new Array<number>(rank);
    let inAcc = bytes;
    let outAcc = bytes;
    for (let d = rank - 1; d >= 0; d--) {
      inStep[d] = inAcc;
      outStep[d] = outAcc;
      inAcc *= inShape[d] as number;
      outAcc *= outShape[d] as number;
    }
    // From dimension `plain` on, nothing repeats.
    let plain = rank;
    while (plain > 0 && (reps[plain - 1] ?? 1) === 1) plain--;

    const fill = (d: number, from: number, to: number): void => {
      const n = inShape[d] as number;
      const step = outStep[d] as number;
      if (d === plain - 1) {
        // The last repeated dimension: below it nothing repeats, so its rows are one contiguous piece.
        heap.copyWithin(to, from, from + n * step);
      } else {
        for (let i = 0; i < n; i++) fill(d + 1, from + i * (inStep[d] as number), to + i * step);
      }
      // Repeat the block just written reps[d] times, doubling the copied span each time.
      const block = n * step;
      const total = block * (reps[d] ?? 1);
      for (let done = block; done < total; done += Math.min(done, total - done)) {
        heap.copyWithin(to + done, to, to + Math.min(done, total - done));
      }
    };
    if (plain === 0) heap.copyWithin(dst, src, src + inAcc);
    else fill(0, src, dst);
    return out;
  };
}
