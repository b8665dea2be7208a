import * as tf from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { webgpuConv2dBackpropFilter } from './webgpu-filter-grad.ts';

/*
 * Which webgpu filter-gradient kernel is registered. This module must not import
 * tfjs-backend-webgpu: that package registers itself only if `navigator.gpu` exists at its first
 * import, which activateWebgpu arranges before importing it.
 */

export type WebgpuFilterGrad = 'matmul' | 'stock';

const ours: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'webgpu',
  kernelFunc: webgpuConv2dBackpropFilter,
};
/** tfjs-backend-webgpu's own kernel, kept for benchmarks that compare the two side by side. */
let stock: KernelConfig | undefined;

/**
 * Chooses the webgpu filter-gradient kernel: satfarm's matrix products (`matmul`, registered by
 * activateWebgpu; see `webgpu-filter-grad.ts`) or tfjs-backend-webgpu's shader (`stock`), one thread
 * per filter weight. Idempotent; needs tfjs-backend-webgpu loaded.
 */
export function useWebgpuFilterGrad(which: WebgpuFilterGrad): void {
  const current = tf.getKernel('Conv2DBackpropFilter', 'webgpu');
  if (current != null && current.kernelFunc !== ours.kernelFunc) stock ??= current;
  const wanted = which === 'matmul' ? ours : stock;
  if (wanted == null) {
    throw new Error(
      'tfjs-backend-webgpu is not loaded: select the webgpu backend before choosing its kernels',
    );
  }
  if (current?.kernelFunc === wanted.kernelFunc) return;
  if (current != null) tf.unregisterKernel('Conv2DBackpropFilter', 'webgpu');
  tf.registerKernel(wanted);
}
