import * as tf from '@tensorflow/tfjs';
import {
  type ActiveBackend,
  BACKEND_CHOICES,
  type BackendChoice,
  type BackendName,
  type SelectBackendOptions,
} from './active-backend.ts';
import { BackendUnavailableError, UnknownBackendError } from './errors.ts';
import { quietCpuBackend } from './quiet-cpu-backend.ts';
import { activateTensorflow } from './tensorflow-backend.ts';
import { activateWasm } from './wasm-backend.ts';
import { activateWebgpu } from './webgpu-backend.ts';

const activate: Record<BackendName, (options: SelectBackendOptions) => Promise<ActiveBackend>> = {
  tensorflow: (options) => activateTensorflow(options.gpu),
  webgpu: (options) => activateWebgpu({ allowSoftware: options.allowSoftwareGpu ?? true, gpu: options.gpu }),
  wasm: (options) => activateWasm(options.wasmThreads),
  cpu: async () => {
    await tf.setBackend('cpu');
    return { name: 'cpu', device: 'cpu (tfjs reference kernels in JavaScript)' };
  },
};

/** The order `auto` tries, fastest first. */
const AUTO_ORDER: readonly BackendName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

/**
 * Makes tfjs run on the chosen backend and says which device that is. A named backend that cannot
 * run here throws {@link BackendUnavailableError} naming the package and how to install it; `auto`
 * takes the first of tensorflow (tfjs-node, when installed), webgpu (when Dawn finds a hardware GPU
 * adapter), wasm and cpu that works.
 */
export async function selectBackend(
  choice: BackendChoice,
  options: SelectBackendOptions = {},
): Promise<ActiveBackend> {
  if (!BACKEND_CHOICES.includes(choice)) throw new UnknownBackendError(String(choice), BACKEND_CHOICES);
  quietCpuBackend();
  if (choice !== 'auto') return activate[choice](options);
  const reasons: string[] = [];
  for (const name of AUTO_ORDER) {
    try {
      // A software GPU adapter is slower than wasm: auto wants a real GPU.
      return await activate[name]({ ...options, allowSoftwareGpu: false });
    } catch (error) {
      if (!(error instanceof BackendUnavailableError)) throw error;
      reasons.push(error.message);
    }
  }
  throw new BackendUnavailableError('auto', reasons.join(' | '), 'No tfjs backend could start');
}
