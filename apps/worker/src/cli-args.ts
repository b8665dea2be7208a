import { parseArgs } from 'node:util';
import { CheckpointStoreSettingError, parseCheckpointStoreSetting } from '@satfarm/checkpoints';
import {
  BACKENDS,
  type BackendName,
  type EnvironmentSource,
  InvalidEnvironmentError,
  parseEnvironment,
} from '@satfarm/contracts';
import { DEFAULT_REDIS_URL } from '@satfarm/queue';
import { parseGpuList } from './gpu-list.ts';
import type { WorkerOptions } from './worker-options.ts';
import { WorkerUsageError } from './worker-usage-error.ts';

export { WorkerUsageError };

/** The standalone worker's environment: process.env, parsed here as @satfarm/contracts' SatfarmEnvironment. */
export type WorkerEnv = EnvironmentSource;

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
export function parseWorkerArgs(argv: readonly string[], source: WorkerEnv): WorkerOptions {
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
  // A flag replaces its variable, whose value then does not matter (the chaos bench sets it empty).
  const overridden = {
    REDIS_URL: values['redis-url'],
    DATABASE_URL: values['database-url'],
    CHECKPOINT_STORE: values['checkpoint-store'],
    CHECKPOINT_DIR: values['checkpoint-dir'],
    SATFARM_WORKER_ID: values['worker-id'],
  };
  const unset = Object.fromEntries(
    Object.entries(overridden).flatMap(([name, flag]) => (flag === undefined ? [] : [[name, undefined]])),
  );
  let env: ReturnType<typeof parseEnvironment>;
  try {
    env = parseEnvironment({ ...source, ...unset });
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) throw new WorkerUsageError(error.message);
    throw error;
  }
  const backend = values.backend ?? 'auto';
  if (!(BACKENDS as readonly string[]).includes(backend)) {
    throw new WorkerUsageError(`--backend: got '${backend}', expected one of ${BACKENDS.join(', ')}`);
  }
  const checkpointDir = values['checkpoint-dir'] ?? env.CHECKPOINT_DIR;
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
    redisUrl: values['redis-url'] ?? env.REDIS_URL ?? DEFAULT_REDIS_URL,
    databaseUrl: values['database-url'] ?? env.DATABASE_URL,
    checkpointStore,
    prefix: values.prefix,
    concurrency: integer('--concurrency', values.concurrency),
    gpus: values.gpus === undefined ? undefined : parseGpuList(values.gpus, '--gpus'),
    checkpointDir,
    fashionMnistDir: env.FASHION_MNIST_DIR,
    cifar10Dir: env.CIFAR10_DIR,
    backend: backend as BackendName,
    workerId: values['worker-id'] ?? env.SATFARM_WORKER_ID,
    lockDurationMs: integer('--lock-duration-ms', values['lock-duration-ms']),
    stalledIntervalMs: integer('--stalled-interval-ms', values['stalled-interval-ms']),
    prewarm: values['no-prewarm'] === true ? false : undefined,
  };
}
