// Loaded first so that its own kernels are registered before ours replace one of them (a later
// load would put the slow Conv2DBackpropInput back, with a console warning).
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs';
import type {
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  KernelConfig,
  KernelFunc,
} from '@tensorflow/tfjs';
import { fastBatchMatMul } from './batch-mat-mul.ts';
import { backpropFilterXnnpack } from './backprop-filter-xnnpack.ts';
import { backpropInputXnnpack } from './backprop-input-xnnpack.ts';
import { backpropFilterDirect, backpropInputDirect } from './conv-grad-direct.ts';
import { convGeometry } from './conv-geometry.ts';
import { maxPoolGradWasm } from './max-pool-grad.ts';
import { fastTile } from './tile.ts';
import { type ConvGradImpl, runConvGrad } from './conv-grad-paths.ts';
import { asWasmBackend } from './wasm-scope.ts';

const filterGrad: ConvGradImpl = {
  kernel: 'Conv2DBackpropFilter',
  otherIsBatched: true,
  outShape: (g) => [g.kh, g.kw, g.inC, g.outC],
  xnnpack: (scope, dy, x, g) => backpropFilterXnnpack(scope, x, dy, g),
  direct: (scope, dy, x, g) => backpropFilterDirect(scope, x, dy, g),
};

const inputGrad: ConvGradImpl = {
  kernel: 'Conv2DBackpropInput',
  otherIsBatched: false,
  outShape: (g) => [g.batch, g.inH, g.inW, g.inC],
  xnnpack: (scope, dy, filter, g) => backpropInputXnnpack(scope, dy, filter, g),
  direct: (scope, dy, filter, g) => backpropInputDirect(scope, dy, filter, g),
};

const conv2dBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs;
  const a = attrs as unknown as Conv2DBackpropFilterAttrs;
  if (x == null || dy == null) throw new TypeError('Conv2DBackpropFilter needs inputs x and dy');
  const g = convGeometry('Conv2DBackpropFilter', x.shape, a.filterShape, dy.shape, a);
  return runConvGrad(filterGrad, asWasmBackend(backend), dy, x, g);
};

const conv2dBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs;
  const a = attrs as unknown as Conv2DBackpropInputAttrs;
  if (dy == null || filter == null) throw new TypeError('Conv2DBackpropInput needs inputs dy and filter');
  const g = convGeometry('Conv2DBackpropInput', a.inputShape, filter.shape, dy.shape, a);
  return runConvGrad(inputGrad, asWasmBackend(backend), dy, filter, g);
};

const configs: KernelConfig[] = [
  { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilter },
  { kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: conv2dBackpropInput },
  { kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGradWasm },
];

/** Kernel functions registered here, to recognise them on a second call. */
const ours = new Set<KernelFunc>();

/**
 * Makes the wasm backend fit for training CNNs: registers `Conv2DBackpropFilter` (missing from
 * tfjs-backend-wasm 4.22) and replaces its `Conv2DBackpropInput` (a naive loop, ~6× slower than
 * its forward conv), both computed as forward XNNPACK convolutions, with slower fallbacks where
 * XNNPACK refuses a shape (see `conv-grad-paths.ts`); replaces its `MaxPoolGrad`, which loses the
 * gradient of windows without a positive value (see `max-pool-grad.ts`); routes transposed matrix
 * products (dense-layer gradients) to XNNPACK (see `batch-mat-mul.ts`); and replaces its `Tile`,
 * which made the batchNorm gradient ~100 ms per layer (see `tile.ts`). Idempotent; call before or
 * after the wasm backend is initialised.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of configs) replaceWasmKernel(config);
  // These wrap the original kernel, whose setup (binding its C function) must still run when the
  // backend initialises: the engine runs the setupFunc of the kernel registered at that time.
  wrapWasmKernel('BatchMatMul', fastBatchMatMul);
  wrapWasmKernel('Tile', fastTile);
}

function wrapWasmKernel(kernelName: string, wrap: (original: KernelConfig) => KernelFunc): void {
  const original = tf.getKernel(kernelName, 'wasm');
  if (original != null && !ours.has(original.kernelFunc)) {
    replaceWasmKernel({ ...original, kernelFunc: wrap(original) });
  }
}

function replaceWasmKernel(config: KernelConfig): void {
  const current = tf.getKernel(config.kernelName, 'wasm');
  if (current?.kernelFunc === config.kernelFunc) return;
  if (current != null) tf.unregisterKernel(config.kernelName, 'wasm');
  tf.registerKernel(config);
  ours.add(config.kernelFunc);
}
