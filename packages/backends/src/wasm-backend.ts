import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import type { ActiveBackend } from './active-backend.ts';
import { BackendUnavailableError, InvalidBackendOptionError } from './errors.ts';
import { registerWasmTrainingKernels } from './register-wasm-training-kernels.ts';
import { createWasmModuleRouted } from './wasm-stderr.ts';

/**
 * tfjs-backend-wasm (XNNPACK) with the training kernels it lacks. Under Node its loader finds the
 * .wasm files beside its own bundle (`__dirname`), so this works from any working directory, and
 * from an esbuild bundle that has the .wasm files copied beside it (../shared/device/pack.sh does).
 */
export async function activateWasm(threads: number | undefined): Promise<ActiveBackend> {
  if (threads !== undefined) {
    if (!Number.isInteger(threads) || threads < 1) {
      throw new InvalidBackendOptionError('wasmThreads', threads, 'a positive integer');
    }
    setThreadsCount(threads);
  }
  registerWasmTrainingKernels();
  let ready: boolean;
  try {
    ready = await createWasmModuleRouted(() => tf.setBackend('wasm'));
  } catch (error) {
    throw new BackendUnavailableError('wasm', 'tfjs-backend-wasm failed to initialise', WASM_HINT, {
      cause: error,
    });
  }
  if (!ready) throw new BackendUnavailableError('wasm', 'tfjs-backend-wasm failed to initialise', WASM_HINT);
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const n = getThreadsCount();
  return {
    name: 'wasm',
    device: `wasm (XNNPACK, ${simd ? 'SIMD' : 'no SIMD'}, ${n} thread${n === 1 ? '' : 's'})`,
  };
}

const WASM_HINT =
  "its .wasm files must lie beside tfjs-backend-wasm's dist/ bundle, or beside the bundle that includes it";
