import * as tf from '@tensorflow/tfjs';
import type { ActiveBackend } from './active-backend.ts';
import { BackendUnavailableError } from './errors.ts';
import { describeImportFailure, importOptional } from './optional-import.ts';

interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
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

/**
 * WebGPU through Dawn. tfjs-backend-webgpu registers itself only if `navigator.gpu` exists when it
 * is first imported, so Dawn is installed as `navigator.gpu` (Node 20 has no `navigator`) and an
 * adapter is found before that import.
 */
export async function activateWebgpu(): Promise<ActiveBackend> {
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
  if (adapter == null) {
    // Dawn keeps Node alive while referenced: let it go again.
    if (created) exposeGpu(nav, undefined);
    throw new BackendUnavailableError(
      'webgpu',
      'Dawn found no GPU adapter',
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
  if (!(await tf.setBackend('webgpu'))) {
    throw new BackendUnavailableError(
      'webgpu',
      'the webgpu backend failed to initialise',
      'Choose --backend wasm',
    );
  }
  return { name: 'webgpu', device: `webgpu (${adapterName(adapter.info)})` };
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
