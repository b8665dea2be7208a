import type { TensorInfo } from '@tensorflow/tfjs';
import { FastPathRefusedError } from './errors.ts';
import type { WasmModule, WasmScope } from './wasm-scope.ts';
import { captureWasmStderr } from './wasm-stderr.ts';

/** Explicit zero padding of a convolution, in rows/columns. */
export interface Padding {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

type Conv2dExport = (...args: number[]) => void;
const conv2dExports = new WeakMap<WasmModule, Conv2dExport>();

/**
 * Bit pattern written into the first and last output element before the call: a NaN whose payload
 * no arithmetic produces. XNNPACK writes every output element or, when it refuses the operator
 * (status 6 = out of memory while packing a large filter), prints a status and writes none.
 */
const UNWRITTEN = 0x7fc0d1e5;

/**
 * Stride-1 NHWC convolution `x [n,H,W,C] ⊛ filter [kh,kw,C,O]` with explicit padding and dilation,
 * through the wasm backend's exported XNNPACK `Conv2D` (the function its Conv2D kernel wraps; same
 * 19 arguments in tfjs 4.22). Called directly rather than through the kernel so that the output can
 * be marked before the call: the kernel's own output would hold leftover heap bytes after a
 * refusal, i.e. a silently wrong gradient. Throws {@link FastPathRefusedError} instead.
 */
export function xnnpackConv2d(
  scope: WasmScope,
  x: TensorInfo,
  filter: TensorInfo,
  dilation: [number, number],
  pad: Padding,
): TensorInfo {
  const [n, H, W, C] = x.shape as [number, number, number, number];
  const [kh, kw, fc, O] = filter.shape as [number, number, number, number];
  if (fc !== C) throw new TypeError(`xnnpackConv2d: filter has ${fc} input channels, x has ${C}`);
  const outH = H + pad.top + pad.bottom - ((kh - 1) * dilation[0] + 1) + 1;
  const outW = W + pad.left + pad.right - ((kw - 1) * dilation[1] + 1) + 1;
  if (outH < 1 || outW < 1) throw new TypeError(`xnnpackConv2d: empty output ${outH}×${outW}`);

  const wasm = scope.backend.wasm;
  let conv = conv2dExports.get(wasm);
  if (conv == null) {
    conv = wasm.cwrap('Conv2D', null, new Array<string>(19).fill('number'));
    conv2dExports.set(wasm, conv);
  }
  const out = scope.alloc([n, outH, outW, O]);
  const last = n * outH * outW * O - 1;
  const base = scope.offset(out) / 4;
  let heap = new Uint32Array(wasm.HEAPU8.buffer);
  heap[base] = UNWRITTEN;
  heap[base + last] = UNWRITTEN;
  const conv2d = conv;
  const { lines } = captureWasmStderr(() =>
    conv2d(
      scope.cId(x),
      n,
      H,
      W,
      scope.cId(filter),
      kh,
      kw,
      pad.top,
      pad.right,
      pad.bottom,
      pad.left,
      0, // not tfjs 'same' padding: the explicit pads above apply
      dilation[0],
      dilation[1],
      1,
      1,
      C,
      O,
      scope.cId(out),
    ),
  );
  heap = new Uint32Array(wasm.HEAPU8.buffer);
  if (heap[base] === UNWRITTEN || heap[base + last] === UNWRITTEN) {
    scope.free(out);
    const said = lines.length > 0 ? `: ${lines.join(' ').trim()}` : '';
    throw new FastPathRefusedError(
      'Conv2D',
      `filter ${filter.shape.join('×')} on input ${x.shape.join('×')}${said}`,
    );
  }
  return out;
}
