import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, MaxPoolGradAttrs } from '@tensorflow/tfjs';
import { asWasmBackend, WasmScope } from './wasm-scope.ts';

/**
 * MaxPoolGrad for the wasm backend, replacing tfjs-backend-wasm 4.22's own, which is wrong and slow:
 * its C++ starts each window's maximum at FLT_MIN (the smallest *positive* float), so a window whose
 * values are all ≤ 0 routes its gradient nowhere (relative error ≈ 0.8 against the cpu backend on
 * random inputs; harmless only right after a ReLU), and it takes ~30 ms for 64×28×28×16.
 *
 * One pass over the windows: each dy value goes to the first maximum of its window in row-major
 * order (the cpu backend's and TensorFlow's rule; `same` padding is not a candidate), channels in
 * the inner loop so that memory is read in order.
 */
export const maxPoolGradWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs;
  if (dy == null || input == null) throw new TypeError('MaxPoolGrad needs inputs dy and input');
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight, outWidth } = info;
  const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const { top, left } = info.padInfo;

  const scope = new WasmScope(asWasmBackend(backend));
  try {
    const dx = scope.alloc([...input.shape]);
    const X = scope.view(input);
    const DY = scope.view(dy);
    const DX = scope.view(dx);
    DX.fill(0);
    const best = new Float32Array(C);
    const at = new Int32Array(C);
    for (let n = 0; n < batchSize; n++) {
      for (let i = 0; i < outHeight; i++) {
        const r0 = Math.max(0, i * sh - top);
        const r1 = Math.min(H, i * sh - top + fh);
        for (let j = 0; j < outWidth; j++) {
          const q0 = Math.max(0, j * sw - left);
          const q1 = Math.min(W, j * sw - left + fw);
          if (r0 >= r1 || q0 >= q1) continue; // a window inside the padding: no gradient
          // The window's first pixel seeds the maxima (-∞ where it is NaN, which never wins).
          const first = ((n * H + r0) * W + q0) * C;
          for (let c = 0; c < C; c++) {
            const v = X[first + c] as number;
            const candidate = v > Number.NEGATIVE_INFINITY;
            best[c] = candidate ? v : Number.NEGATIVE_INFINITY;
            at[c] = candidate ? first + c : -1;
          }
          for (let r = r0; r < r1; r++) {
            for (let q = r === r0 ? q0 + 1 : q0; q < q1; q++) {
              const base = ((n * H + r) * W + q) * C;
              for (let c = 0; c < C; c++) {
                const v = X[base + c] as number;
                if (v > (best[c] as number)) {
                  best[c] = v;
                  at[c] = base + c;
                }
              }
            }
          }
          const dyBase = ((n * outHeight + i) * outWidth + j) * C;
          for (let c = 0; c < C; c++) {
            const k = at[c] as number;
            if (k >= 0) DX[k]! += DY[dyBase + c] as number;
          }
        }
      }
    }
    return scope.keep(dx);
  } finally {
    scope.dispose();
  }
};
