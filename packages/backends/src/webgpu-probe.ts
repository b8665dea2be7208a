import { BackendUnavailableError } from './errors.ts';
import { selectBackend } from './select-backend.ts';

/**
 * For tests that need WebGPU: selects it and returns undefined, or returns why it cannot run here (no
 * `webgpu` package, no adapter). A GPU or Mesa's llvmpipe (installed by infra/scripts/ensure-services.sh)
 * both count. Logs the reason, so a skipped suite says why.
 */
export async function webgpuUnavailable(suite: string): Promise<string | undefined> {
  try {
    await selectBackend('webgpu');
    return undefined;
  } catch (error) {
    if (!(error instanceof BackendUnavailableError)) throw error;
    console.warn(`${suite} skipped: ${error.message}`);
    return error.message;
  }
}
