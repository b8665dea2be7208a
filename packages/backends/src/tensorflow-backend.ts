import * as tf from '@tensorflow/tfjs';
import { type ActiveBackend, gpuLabel } from './active-backend.ts';
import { BackendUnavailableError } from './errors.ts';
import { describeImportFailure, importOptional } from './optional-import.ts';

/** GPU build first: it falls back to the CPU itself where CUDA is missing. */
const PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/**
 * The native libtensorflow backend. Its packages download libtensorflow while they install, which
 * these machines cannot do, so they are never dependencies: they are used where a user installed one.
 */
export async function activateTensorflow(gpu?: string): Promise<ActiveBackend> {
  const failures: string[] = [];
  for (const pkg of PACKAGES) {
    try {
      await importOptional(pkg);
    } catch (error) {
      failures.push(describeImportFailure(pkg, error));
      continue;
    }
    if (tf.findBackendFactory('tensorflow') == null) {
      failures.push(
        `'${pkg}' loaded but registered no 'tensorflow' backend with this @tensorflow/tfjs ` +
          `(install the version matching it, ${tf.version_core})`,
      );
      continue;
    }
    if (!(await tf.setBackend('tensorflow'))) {
      failures.push(`'${pkg}' loaded but its backend failed to initialise`);
      continue;
    }
    const onGpu = (tf.backend() as { isUsingGpuDevice?: unknown }).isUsingGpuDevice === true;
    const where = onGpu ? ['CUDA GPU', gpuLabel(gpu)].filter((p) => p != null).join(', ') : 'CPU';
    return { name: 'tensorflow', device: `tensorflow (${pkg}, libtensorflow, ${where})` };
  }
  throw new BackendUnavailableError(
    'tensorflow',
    failures.join('; '),
    `Install one of them: \`npm install @tensorflow/tfjs-node-gpu@${tf.version_core}\` (CUDA) or ` +
      `\`npm install @tensorflow/tfjs-node@${tf.version_core}\` (CPU); their install step downloads libtensorflow ` +
      'from storage.googleapis.com, so it needs that network access. Or choose --backend wasm',
  );
}
