import * as tf from '@tensorflow/tfjs';
import type { DataType, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { WasmOutOfMemoryError } from './errors.ts';

/**
 * The parts of tfjs-backend-wasm's `BackendWasm` that the training kernels use, typed here (its own
 * d.ts types the Emscripten module as `any`) and checked once at the boundary by {@link asWasmBackend}.
 */
export interface WasmModule {
  HEAPU8: Uint8Array;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  cwrap(name: string, returnType: null, argTypes: string[]): (...args: number[]) => void;
}

interface WasmTensorData {
  id: number;
  memoryOffset: number;
}

export interface WasmBackend {
  wasm: WasmModule;
  dataIdMap: { get(dataId: object): WasmTensorData | undefined };
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

export function asWasmBackend(backend: unknown): WasmBackend {
  const b = backend as Partial<WasmBackend> | null;
  if (
    b == null ||
    typeof b.makeOutput !== 'function' ||
    typeof b.dataIdMap?.get !== 'function' ||
    !(b.wasm?.HEAPU8 instanceof Uint8Array) ||
    typeof b.wasm._malloc !== 'function' ||
    typeof b.wasm.cwrap !== 'function'
  ) {
    throw new TypeError('expected the tfjs-backend-wasm 4.22 backend (BackendWasm) as the kernel backend');
  }
  return b as WasmBackend;
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

let fastPathMemoryLimit = Number.POSITIVE_INFINITY;

/**
 * Caps the working memory (bytes) one fast-path gradient call may take on the wasm heap; calls that
 * would need more use their slower fallbacks. Keeps the heap (which never shrinks) small, and lets
 * tests reach the fallbacks. `null` removes the cap.
 */
export function setFastPathMemoryLimit(bytes: number | null): void {
  fastPathMemoryLimit = bytes ?? Number.POSITIVE_INFINITY;
}

/**
 * Owns the intermediate tensors of one kernel call on the wasm backend: every tensor made through the
 * scope is freed by {@link dispose} unless {@link keep} hands it to the caller. Intermediates are
 * backend-level TensorInfos (not engine tensors), so without this they would leak silently —
 * `tf.memory().numTensors` does not see them, only `numDataBuffers` does.
 */
export class WasmScope {
  readonly backend: WasmBackend;
  private readonly owned = new Set<TensorInfo>();

  constructor(backend: WasmBackend) {
    this.backend = backend;
  }

  /** A new float32 tensor with unspecified contents. */
  alloc(shape: number[]): TensorInfo {
    const t = this.backend.makeOutput(shape, 'float32');
    this.owned.add(t);
    this.checkAllocated(t);
    return t;
  }

  /** Runs a kernel of the wasm backend itself and owns its output. */
  run(kernelName: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap): TensorInfo {
    const kernel = tf.getKernel(kernelName, 'wasm');
    if (kernel == null) throw new TypeError(`tfjs-backend-wasm has no '${kernelName}' kernel`);
    return this.adopt(kernel.kernelFunc({ inputs, backend: this.backend, attrs }));
  }

  /** Takes ownership of a tensor made elsewhere (e.g. by a kernel called directly). */
  adopt(out: TensorInfo | TensorInfo[]): TensorInfo {
    if (Array.isArray(out)) throw new TypeError('expected one output tensor');
    this.owned.add(out);
    this.checkAllocated(out);
    return out;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  /** Hands a tensor made by this scope to the caller, who must dispose it. */
  keep(t: TensorInfo): TensorInfo {
    this.owned.delete(t);
    return t;
  }

  /** Frees one owned tensor early, to lower the peak of the heap. */
  free(t: TensorInfo): void {
    if (this.owned.delete(t)) this.backend.disposeData(t.dataId);
  }

  dispose(): void {
    for (const t of this.owned) this.backend.disposeData(t.dataId);
    this.owned.clear();
  }

  /**
   * A float32 view on a tensor's heap memory. Take a fresh view after any allocation: growing the
   * wasm memory detaches the old buffer.
   */
  view(t: TensorInfo): Float32Array {
    return new Float32Array(this.backend.wasm.HEAPU8.buffer, this.offset(t), sizeOf(t.shape));
  }

  offset(t: TensorInfo): number {
    const data = this.backend.dataIdMap.get(t.dataId);
    if (data == null) throw new TypeError('tensor is not on the wasm backend');
    return data.memoryOffset;
  }

  /** The C++ side's id of a tensor, as wasm exports take it. */
  cId(t: TensorInfo): number {
    const data = this.backend.dataIdMap.get(t.dataId);
    if (data == null) throw new TypeError('tensor is not on the wasm backend');
    return data.id;
  }

  /**
   * Whether `bytes` could be allocated now (and are within {@link setFastPathMemoryLimit}).
   * tfjs-backend-wasm registers a tensor at address 0 when
   * malloc fails and its kernels then overwrite the heap's start, so a fast path asks first.
   */
  canReserve(bytes: number): boolean {
    if (bytes > fastPathMemoryLimit) return false;
    const pointer = this.backend.wasm._malloc(bytes) >>> 0;
    if (pointer === 0) return false;
    this.backend.wasm._free(pointer);
    return true;
  }

  private checkAllocated(t: TensorInfo): void {
    const size = sizeOf(t.shape);
    if (size > 0 && this.offset(t) === 0) throw new WasmOutOfMemoryError(t.shape, size * 4);
  }
}

/** Copies the window `[h0, h0+h) × [w0, w0+w)` of an NHWC tensor (batch `b0 .. b0+n`) into a new tensor. */
export function cropNhwc(
  scope: WasmScope,
  x: TensorInfo,
  window: { b0: number; n: number; h0: number; h: number; w0: number; w: number },
): TensorInfo {
  const [, H, W, C] = x.shape as [number, number, number, number];
  const { b0, n, h0, h, w0, w } = window;
  const out = scope.alloc([n, h, w, C]);
  const src = scope.view(x);
  const dst = scope.view(out);
  if (h0 === 0 && h === H && w0 === 0 && w === W) {
    dst.set(src.subarray(b0 * H * W * C, (b0 + n) * H * W * C));
    return out;
  }
  const rowLength = w * C;
  let o = 0;
  for (let b = b0; b < b0 + n; b++) {
    for (let r = h0; r < h0 + h; r++) {
      const start = ((b * H + r) * W + w0) * C;
      dst.set(src.subarray(start, start + rowLength), o);
      o += rowLength;
    }
  }
  return out;
}

export { sizeOf };
