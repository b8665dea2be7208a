import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs';
import { webgpuConv2dBackpropFilter } from './webgpu-filter-grad.ts';
import { webgpuConv2dBackpropFilterTiled } from './webgpu-filter-grad-tiled.ts';

/*
 * Which webgpu filter-gradient kernel is registered. This module must not import
 * tfjs-backend-webgpu: that package registers itself only if `navigator.gpu` exists at its first
 * import, which activateWebgpu arranges before importing it.
 */

export type WebgpuFilterGrad = 'tiled' | 'matmul' | 'stock';

const config = (kernelFunc: KernelFunc): KernelConfig => ({
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'webgpu',
  kernelFunc,
});
const ours: Record<Exclude<WebgpuFilterGrad, 'stock'>, KernelConfig> = {
  tiled: config(webgpuConv2dBackpropFilterTiled),
  matmul: config(webgpuConv2dBackpropFilter),
};
const isOurs = (f: KernelFunc) => Object.values(ours).some((c) => c.kernelFunc === f);
/** tfjs-backend-webgpu's own kernel, kept for benchmarks that compare them side by side. */
let stock: KernelConfig | undefined;

/**
 * Chooses the webgpu filter-gradient kernel: satfarm's tiled shader (`tiled`, registered by
 * activateWebgpu; see `webgpu-filter-grad-tiled.ts`), its earlier one matrix product per filter tap
 * (`matmul`, `webgpu-filter-grad.ts`), or tfjs-backend-webgpu's shader (`stock`), one thread per
 * filter weight. Idempotent; needs tfjs-backend-webgpu loaded.
 */
export function useWebgpuFilterGrad(which: WebgpuFilterGrad): void {
  const current = tf.getKernel('Conv2DBackpropFilter', 'webgpu');
  if (current != null && !isOurs(current.kernelFunc)) stock ??= current;
  const wanted = which === 'stock' ? stock : ours[which];
  if (wanted == null) {
    throw new Error(
      'tfjs-backend-webgpu is not loaded: select the webgpu backend before choosing its kernels',
    );
  }
  if (current?.kernelFunc === wanted.kernelFunc) return;
  if (current != null) tf.unregisterKernel('Conv2DBackpropFilter', 'webgpu');
  tf.registerKernel(wanted);
}
