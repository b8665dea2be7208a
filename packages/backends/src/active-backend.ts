/** The tfjs backends satfarm can train on, fastest kind first. */
export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
export type BackendChoice = 'auto' | BackendName;
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'];

/** The backend tfjs now runs on, and what it runs on in words (for logs and results). */
export interface ActiveBackend {
  name: BackendName;
  /** E.g. 'wasm (XNNPACK, SIMD, 1 thread)' or the GPU adapter's name. */
  device: string;
}

export interface SelectBackendOptions {
  /**
   * XNNPACK threads for the wasm backend. Only the threaded wasm build uses more than one, and
   * tfjs-backend-wasm 4.22 loads the single-threaded build under Node.js, so in Node this is
   * passed on but the device reports the threads actually used (1).
   */
  wasmThreads?: number;
  /**
   * The GPU this process was pinned to by its parent (`satfarm worker --gpus`), as the parent named it
   * (an index such as '1'). Pinning itself happens through the process environment before tfjs loads
   * (CUDA_VISIBLE_DEVICES, Vulkan device selection); this only names the GPU in the device string.
   */
  gpu?: string | undefined;
  /**
   * Whether `webgpu` may run on a software adapter (Mesa's llvmpipe). Default true for `--backend
   * webgpu` (tests of the webgpu kernels on machines without a GPU); `auto` always passes false.
   */
  allowSoftwareGpu?: boolean | undefined;
}

/** 'GPU 1' for a process pinned to one GPU by its parent (the device string's last part). */
export function gpuLabel(gpu: string | undefined): string | undefined {
  return gpu == null ? undefined : `GPU ${gpu}`;
}
