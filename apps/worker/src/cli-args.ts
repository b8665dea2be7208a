import { parseArgs } from 'node:util';
import { CheckpointStoreSettingError, parseCheckpointStoreSetting } from '@satfarm/checkpoints';
import { BACKENDS, type BackendName } from '@satfarm/contracts';
import { parseGpuList } from './gpu-list.ts';
import type { WorkerOptions } from './worker-options.ts';
import { WorkerUsageError } from './worker-usage-error.ts';

export { WorkerUsageError };

/** The environment variables the standalone worker entry reads (the `satfarm` CLI has its own env.ts). */
export interface WorkerEnv {
  REDIS_URL?: string | undefined;
  DATABASE_URL?: string | undefined;
  CHECKPOINT_STORE?: string | undefined;
  CHECKPOINT_DIR?: string | undefined;
  FASHION_MNIST_DIR?: string | undefined;
  CIFAR10_DIR?: string | undefined;
  SATFARM_WORKER_ID?: string | undefined;
}

function integer(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new WorkerUsageError(`${flag}: got '${value}', expected a whole number`);
  return n;
}

/**
 * Worker options from argv and the environment, for `node --import tsx apps/worker/src/main.ts`:
 * flags win over variables, variables over defaults. Pure: nothing is read here but the arguments.
 */
export function parseWorkerArgs(argv: readonly string[], env: WorkerEnv): WorkerOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'redis-url': { type: 'string' },
      'database-url': { type: 'string' },
      'checkpoint-store': { type: 'string' },
      prefix: { type: 'string' },
      concurrency: { type: 'string' },
      gpus: { type: 'string' },
      'checkpoint-dir': { type: 'string' },
      backend: { type: 'string' },
      'worker-id': { type: 'string' },
      'lock-duration-ms': { type: 'string' },
      'stalled-interval-ms': { type: 'string' },
      'no-prewarm': { type: 'boolean' },
    },
    strict: true,
  });
  const backend = values.backend ?? 'auto';
  if (!(BACKENDS as readonly string[]).includes(backend)) {
    throw new WorkerUsageError(`--backend: got '${backend}', expected one of ${BACKENDS.join(', ')}`);
  }
  const checkpointDir = values['checkpoint-dir'] ?? env.CHECKPOINT_DIR ?? '.checkpoints';
  const checkpointStore = values['checkpoint-store'] ?? env.CHECKPOINT_STORE;
  try {
    parseCheckpointStoreSetting(checkpointStore, {
      field: values['checkpoint-store'] === undefined ? 'CHECKPOINT_STORE' : '--checkpoint-store',
      checkpointDir,
    });
  } catch (error) {
    if (error instanceof CheckpointStoreSettingError) throw new WorkerUsageError(error.message);
    throw error;
  }
  return {
    redisUrl: values['redis-url'] ?? env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    databaseUrl: values['database-url'] ?? env.DATABASE_URL,
    checkpointStore,
    prefix: values.prefix,
    concurrency: integer('--concurrency', values.concurrency),
    gpus: values.gpus === undefined ? undefined : parseGpuList(values.gpus, '--gpus'),
    checkpointDir,
    fashionMnistDir: env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist',
    cifar10Dir: env.CIFAR10_DIR,
    backend: backend as BackendName,
    workerId: values['worker-id'] ?? env.SATFARM_WORKER_ID,
    lockDurationMs: integer('--lock-duration-ms', values['lock-duration-ms']),
    stalledIntervalMs: integer('--stalled-interval-ms', values['stalled-interval-ms']),
    prewarm: values['no-prewarm'] === true ? false : undefined,
  };
}
