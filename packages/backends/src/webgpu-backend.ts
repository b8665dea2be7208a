import * as tf from '@tensorflow/tfjs';
import { type ActiveBackend, gpuLabel } from './active-backend.ts';
import { BackendUnavailableError } from './errors.ts';
import { machineHasGpuDeviceNode } from './gpu-device-nodes.ts';
import { describeImportFailure, importOptional } from './optional-import.ts';
import { useWebgpuFilterGrad } from './webgpu-kernel-choice.ts';

interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  /** A software implementation (Mesa's llvmpipe, SwiftShader): correct but slower than wasm. */
  isFallbackAdapter?: boolean;
}
interface Adapter {
  info?: AdapterInfo;
}
interface Gpu {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<Adapter | null>;
}
/** What the `webgpu` npm package (Dawn for Node.js) exports. */
interface DawnModule {
  create(flags: string[]): Gpu;
  globals: Record<string, unknown>;
}

const INSTALL_HINT =
  'Install it with `npm install webgpu` on a machine whose GPU has a Vulkan (Linux), Metal or D3D12 driver, ' +
  'or choose --backend wasm';

export interface WebgpuOptions {
  /**
   * Accept a software adapter (Mesa's llvmpipe through lavapipe). `--backend webgpu` does, so the
   * webgpu kernels can be tested on machines without a GPU; `auto` does not, since wasm is faster there.
   */
  allowSoftware: boolean;
  /** The GPU the parent pinned this process to (see SelectBackendOptions.gpu), for the device name. */
  gpu?: string | undefined;
}

/**
 * WebGPU through Dawn. tfjs-backend-webgpu registers itself only if `navigator.gpu` exists when it
 * is first imported, so Dawn is installed as `navigator.gpu` (Node 20 has no `navigator`) and an
 * adapter is found before that import. Registers satfarm's faster filter-gradient kernel.
 */
export async function activateWebgpu(options: WebgpuOptions): Promise<ActiveBackend> {
  if (!options.allowSoftware && !machineHasGpuDeviceNode()) {
    throw new BackendUnavailableError(
      'webgpu',
      'no GPU device node (/dev/nvidia*, /dev/dri/renderD*)',
      'Check the GPU driver, or choose --backend wasm',
    );
  }
  const nav = globalThis as { navigator?: { gpu?: Gpu } };
  let created = false;
  let gpu = nav.navigator?.gpu;
  if (gpu == null) {
    let dawn: DawnModule;
    try {
      dawn = (await importOptional('webgpu')) as DawnModule;
    } catch (error) {
      throw new BackendUnavailableError('webgpu', describeImportFailure('webgpu', error), INSTALL_HINT, {
        cause: error,
      });
    }
    Object.assign(globalThis, dawn.globals);
    gpu = dawn.create([]);
    exposeGpu(nav, gpu);
    created = true;
  }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  const software = adapter?.info?.isFallbackAdapter === true;
  if (adapter == null || (software && !options.allowSoftware)) {
    // Dawn keeps Node alive while referenced: let it go again.
    if (created) exposeGpu(nav, undefined);
    throw new BackendUnavailableError(
      'webgpu',
      adapter == null
        ? 'Dawn found no GPU adapter'
        : `Dawn found only a software adapter (${adapterName(adapter.info)}), slower than wasm`,
      'Check the GPU driver and the Vulkan loader (libvulkan1), or choose --backend wasm',
    );
  }
  await import('@tensorflow/tfjs-backend-webgpu');
  if (tf.findBackendFactory('webgpu') == null) {
    throw new BackendUnavailableError(
      'webgpu',
      '@tensorflow/tfjs-backend-webgpu was imported before navigator.gpu existed and did not register',
      'Import it only through selectBackend',
    );
  }
  useWebgpuFilterGrad('tiled');
  if (!(await tf.setBackend('webgpu'))) {
    throw new BackendUnavailableError(
      'webgpu',
      'the webgpu backend failed to initialise',
      'Choose --backend wasm',
    );
  }
  const details = [adapterName(adapter.info), software ? 'software' : undefined, gpuLabel(options.gpu)];
  return { name: 'webgpu', device: `webgpu (${details.filter((d) => d != null).join(', ')})` };
}

function exposeGpu(nav: { navigator?: { gpu?: Gpu } }, gpu: Gpu | undefined): void {
  if (nav.navigator == null) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  } else {
    Object.defineProperty(nav.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  }
}

function adapterName(info: AdapterInfo | undefined): string {
  if (info == null) return 'unknown adapter';
  if (info.description) return info.description;
  const parts = [info.vendor, info.architecture, info.device].filter((p) => p != null && p !== '');
  return parts.length > 0 ? parts.join(' ') : 'unknown adapter';
}
