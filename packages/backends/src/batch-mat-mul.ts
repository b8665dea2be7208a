import * as tf from '@tensorflow/tfjs';
import type { BatchMatMulAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { asWasmBackend, sizeOf, WasmScope } from './wasm-scope.ts';

/**
 * BatchMatMul for the wasm backend around its own kernel, which runs XNNPACK only for one matrix
 * pair without transposes and otherwise a scalar loop: the gradients of a dense layer
 * (`xᵀ·dy`, `dy·Wᵀ`) ran 28× (512×512) to 67× (4096×1024) slower than the forward product.
 *
 * A single product with a transpose flag is rewritten so that the XNNPACK path runs, choosing
 * whichever of `A·B` (packs B) and `(Bᵀ·Aᵀ)ᵀ` (packs Aᵀ, then transposes the result back) moves
 * less memory: XNNPACK packs its right operand on every call, as it is a fresh tensor.
 * Batched products keep the original kernel.
 */
export function fastBatchMatMul(original: KernelConfig): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs;
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    if (a == null || b == null) throw new TypeError('BatchMatMul needs inputs a and b');
    const single = sizeOf(a.shape.slice(0, -2)) === 1 && sizeOf(b.shape.slice(0, -2)) === 1;
    if (!single || (!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') {
      return original.kernelFunc(args);
    }
    const scope = new WasmScope(asWasmBackend(args.backend));
    const matmul = (x: TensorInfo, y: TensorInfo): TensorInfo =>
      scope.adopt(
        original.kernelFunc({
          ...args,
          inputs: { a: x, b: y },
          attrs: { transposeA: false, transposeB: false },
        }),
      );
    const matrix = (t: TensorInfo) => scope.reshape(t, t.shape.slice(-2));
    const swapped = (t: TensorInfo) => scope.transpose(matrix(t), [1, 0]);
    try {
      const [r0, c0] = a.shape.slice(-2) as [number, number];
      const [, c1] = b.shape.slice(-2) as [number, number];
      const [M, K] = transposeA ? [c0, r0] : [r0, c0];
      const N = transposeB ? b.shape.at(-2)! : c1;
      const batch = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
      const outShape = [...batch, M, N];
      // Memory each plan moves: the transposes it needs plus the operand XNNPACK packs.
      const direct = K * N + (transposeA ? M * K : 0) + (transposeB ? K * N : 0);
      const flipped = K * M + (transposeA ? 0 : M * K) + (transposeB ? 0 : K * N) + M * N;
      let out: TensorInfo;
      if (direct <= flipped) {
        const x = transposeA ? swapped(a) : matrix(a);
        const y = transposeB ? swapped(b) : matrix(b);
        out = scope.reshape(matmul(x, y), outShape);
      } else {
        const bt = transposeB ? matrix(b) : swapped(b); // Bᵀ, N×K
        const at = transposeA ? matrix(a) : swapped(a); // Aᵀ, K×M
        out = scope.reshape(scope.transpose(matmul(bt, at), [1, 0]), outShape);
      }
      return scope.keep(out);
    } finally {
      scope.dispose();
    }
  };
}
