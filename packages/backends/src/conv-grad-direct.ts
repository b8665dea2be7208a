import type { TensorInfo } from '@tensorflow/tfjs';
import type { ConvGeometry } from './conv-geometry.ts';
import type { WasmScope } from './wasm-scope.ts';

/*
 * Plain loops over the heap, the last resort of the wasm gradient kernels: slow (scalar JS) but
 * always correct, and they allocate nothing beyond the output and a float64 accumulator, so they still
 * run when the heap is too full for the XNNPACK paths. Sums are kept in float64.
 */

/** dW `[kh,kw,inC,outC]` = Σ over batch and output pixels of x patch ⊗ dy. */
export function backpropFilterDirect(
  scope: WasmScope,
  x: TensorInfo,
  dy: TensorInfo,
  g: ConvGeometry,
): TensorInfo {
  const out = scope.alloc([g.kh, g.kw, g.inC, g.outC]);
  const X = scope.view(x);
  const DY = scope.view(dy);
  const C = g.inC;
  const O = g.outC;
  const acc = new Float64Array(g.kh * g.kw * C * O);
  for (let n = 0; n < g.batch; n++) {
    for (let i = 0; i < g.outH; i++) {
      for (let j = 0; j < g.outW; j++) {
        const dyBase = ((n * g.outH + i) * g.outW + j) * O;
        for (let a = 0; a < g.kh; a++) {
          const h = i * g.sh - g.top + a;
          if (h < 0 || h >= g.inH) continue;
          for (let b = 0; b < g.kw; b++) {
            const w = j * g.sw - g.left + b;
            if (w < 0 || w >= g.inW) continue;
            const xBase = ((n * g.inH + h) * g.inW + w) * C;
            const wBase = (a * g.kw + b) * C * O;
            for (let c = 0; c < C; c++) {
              const xv = X[xBase + c] as number;
              if (xv === 0) continue;
              const row = wBase + c * O;
              for (let o = 0; o < O; o++) acc[row + o]! += xv * (DY[dyBase + o] as number);
            }
          }
        }
      }
    }
  }
  scope.view(out).set(acc);
  return out;
}

/** dx `[batch,inH,inW,inC]`: every dy pixel spreads `W · dy` back onto the input pixels it read. */
export function backpropInputDirect(
  scope: WasmScope,
  dy: TensorInfo,
  filter: TensorInfo,
  g: ConvGeometry,
): TensorInfo {
  const out = scope.alloc([g.batch, g.inH, g.inW, g.inC]);
  const DY = scope.view(dy);
  const F = scope.view(filter);
  const DX = scope.view(out);
  const C = g.inC;
  const O = g.outC;
  const image = new Float64Array(g.inH * g.inW * C);
  for (let n = 0; n < g.batch; n++) {
    image.fill(0);
    for (let i = 0; i < g.outH; i++) {
      for (let j = 0; j < g.outW; j++) {
        const dyBase = ((n * g.outH + i) * g.outW + j) * O;
        for (let a = 0; a < g.kh; a++) {
          const h = i * g.sh - g.top + a;
          if (h < 0 || h >= g.inH) continue;
          for (let b = 0; b < g.kw; b++) {
            const w = j * g.sw - g.left + b;
            if (w < 0 || w >= g.inW) continue;
            const xBase = (h * g.inW + w) * C;
            const wBase = (a * g.kw + b) * C * O;
            for (let c = 0; c < C; c++) {
              const row = wBase + c * O;
              let s = 0;
              for (let o = 0; o < O; o++) s += (F[row + o] as number) * (DY[dyBase + o] as number);
              image[xBase + c]! += s;
            }
          }
        }
      }
    }
    DX.set(image, n * image.length);
  }
  return out;
}
