import type { TensorInfo } from '@tensorflow/tfjs';
import type { ConvGeometry } from './conv-geometry.ts';
import { FastPathRefusedError } from './errors.ts';
import { cropNhwc, type WasmScope } from './wasm-scope.ts';
import { xnnpackConv2d } from './xnnpack-conv2d.ts';

/**
 * dx of a conv as one forward XNNPACK convolution (a "full" correlation with the flipped filter):
 *
 *   dx[n,h,w,c] = Σ_{a,b,o} dyz[n, h + a − (kh−1−top), w + b − (kw−1−left), o] · W[kh−1−a, kw−1−b, c, o]
 *
 * where dyz is dy with `stride − 1` zeros inserted after every row/column (reshape → pad → reshape),
 * i.e. input dyz `[N, outH·sh, outW·sw, O]`, filter `reverse(transpose(W, [0,1,3,2]), [0,1])`
 * `[kh,kw,O,C]`, stride 1, padding `kh−1−top` before and whatever makes `inH` rows come out after
 * (cropping dyz where that is negative: rows that reach no input pixel).
 */
export function backpropInputXnnpack(
  scope: WasmScope,
  dy: TensorInfo,
  filter: TensorInfo,
  g: ConvGeometry,
): TensorInfo {
  const strided = g.sh > 1 || g.sw > 1;
  const zH = g.outH * g.sh; // rows of dyz
  const zW = g.outW * g.sw;
  const before = { h: g.kh - 1 - g.top, w: g.kw - 1 - g.left };
  const after = { h: g.inH + g.kh - 1 - before.h - zH, w: g.inW + g.kw - 1 - before.w - zW };
  const crop = before.h < 0 || before.w < 0 || after.h < 0 || after.w < 0;

  const dyzBytes = g.batch * zH * zW * g.outC * 4;
  const dxBytes = g.batch * g.inH * g.inW * g.inC * 4;
  const indirection = g.inH * g.inW * g.kh * g.kw * 4; // XNNPACK's pointer table, per image
  const copies = (strided ? 1 : 0) + (crop ? 1 : 0); // of dy, spread and/or cropped
  const working = copies * dyzBytes + dxBytes + indirection + 4 * g.kh * g.kw * g.inC * g.outC * 4;
  if (!scope.canReserve(working))
    throw new FastPathRefusedError('Conv2DBackpropInput', `${working} bytes of heap`);

  const wt = scope.transpose(filter, [0, 1, 3, 2]);
  const wf = scope.run('Reverse', { x: wt }, { dims: [0, 1] });
  scope.free(wt);

  let z = dy;
  if (strided) {
    // [N,outH,1,outW,1,O] padded to [N,outH,sh,outW,sw,O]: each value followed by zeros.
    const spread: number[] = [g.batch, g.outH];
    const paddings: [number, number][] = [
      [0, 0],
      [0, 0],
    ];
    if (g.sh > 1) {
      spread.push(1);
      paddings.push([0, g.sh - 1]);
    }
    spread.push(g.outW);
    paddings.push([0, 0]);
    if (g.sw > 1) {
      spread.push(1);
      paddings.push([0, g.sw - 1]);
    }
    spread.push(g.outC);
    paddings.push([0, 0]);
    const r = scope.reshape(dy, spread);
    const p = scope.run('PadV2', { x: r }, { paddings, constantValue: 0 });
    scope.free(r);
    z = scope.reshape(p, [g.batch, zH, zW, g.outC]);
    scope.free(p);
  }
  if (crop) {
    const h0 = Math.max(0, -before.h);
    const w0 = Math.max(0, -before.w);
    const h = zH - h0 - Math.max(0, -after.h);
    const w = zW - w0 - Math.max(0, -after.w);
    if (h <= 0 || w <= 0) {
      // No dy value reaches an input pixel: the gradient is zero.
      if (z !== dy) scope.free(z);
      scope.free(wf);
      const zero = scope.alloc([g.batch, g.inH, g.inW, g.inC]);
      scope.view(zero).fill(0);
      return zero;
    }
    const zc = cropNhwc(scope, z, { b0: 0, n: g.batch, h0, h, w0, w });
    if (z !== dy) scope.free(z);
    z = zc;
  }
  const pad = {
    top: Math.max(0, before.h),
    bottom: Math.max(0, after.h),
    left: Math.max(0, before.w),
    right: Math.max(0, after.w),
  };
  const dx = xnnpackConv2d(scope, z, wf, [1, 1], pad);
  if (z !== dy) scope.free(z);
  scope.free(wf);
  return dx;
}
