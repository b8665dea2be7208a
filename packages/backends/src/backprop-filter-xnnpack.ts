import type { TensorInfo } from '@tensorflow/tfjs';
import type { ConvGeometry } from './conv-geometry.ts';
import { FastPathRefusedError } from './errors.ts';
import { cropNhwc, type WasmScope } from './wasm-scope.ts';
import { xnnpackConv2d } from './xnnpack-conv2d.ts';

/**
 * dW of a conv as one forward XNNPACK convolution:
 *
 *   dW[a,b,c,o] = Σ_{n,i,j} xpad[n, i·sh + a, j·sw + b, c] · dy[n,i,j,o]
 *
 * is a convolution whose batch is x's channels and whose channels are x's batch:
 * input `transpose(x, [3,1,2,0])` `[C,H,W,N]`, filter `transpose(dy, [1,2,0,3])` `[outH,outW,N,O]`,
 * dilation = the forward stride, stride 1, padding = the forward padding (cut so that exactly
 * `kh × kw` outputs come out), giving `[C,kh,kw,O]` → `transpose(…, [1,2,0,3])`.
 * Rows/columns of x that the forward conv never reached (`valid` with a remainder) are cropped off.
 */
export function backpropFilterXnnpack(
  scope: WasmScope,
  x: TensorInfo,
  dy: TensorInfo,
  g: ConvGeometry,
): TensorInfo {
  const needH = (g.outH - 1) * g.sh + g.kh; // padded rows the forward conv read
  const needW = (g.outW - 1) * g.sw + g.kw;
  const usedH = Math.min(g.inH, needH - g.top); // rows of x itself that it read
  const usedW = Math.min(g.inW, needW - g.left);
  if (usedH <= 0 || usedW <= 0) {
    // Only padding under the filter: the gradient is zero.
    const out = scope.alloc([g.kh, g.kw, g.inC, g.outC]);
    scope.view(out).fill(0);
    return out;
  }
  const crop = usedH < g.inH || usedW < g.inW;
  const xBytes = g.batch * usedH * usedW * g.inC * 4;
  const dyBytes = g.batch * g.outH * g.outW * g.outC * 4;
  // Crop copy, the two transposes, XNNPACK's transposed + packed copy of the filter, the output.
  const working = (crop ? 2 : 1) * xBytes + 3.2 * dyBytes + 2 * g.kh * g.kw * g.inC * g.outC * 4;
  if (!scope.canReserve(working))
    throw new FastPathRefusedError('Conv2DBackpropFilter', `${working} bytes of heap`);

  const xc = crop ? cropNhwc(scope, x, { b0: 0, n: g.batch, h0: 0, h: usedH, w0: 0, w: usedW }) : x;
  const xt = scope.transpose(xc, [3, 1, 2, 0]);
  if (crop) scope.free(xc);
  const dyt = scope.transpose(dy, [1, 2, 0, 3]);
  const pad = { top: g.top, bottom: needH - g.top - usedH, left: g.left, right: needW - g.left - usedW };
  const conv = xnnpackConv2d(scope, xt, dyt, [g.sh, g.sw], pad);
  scope.free(xt);
  scope.free(dyt);
  return scope.transpose(conv, [1, 2, 0, 3]);
}
