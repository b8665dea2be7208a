import { DEFAULT_CHECKPOINT_STORE } from '@satfarm/checkpoints';
import { type EnvironmentSource, parseEnvironment } from '@satfarm/contracts';
import { DEFAULT_DATABASE_URL } from '@satfarm/db';
import { DEFAULT_REDIS_URL } from '@satfarm/queue';

export interface SatfarmEnv {
  redisUrl: string;
  databaseUrl: string;
  /** The login `satfarm sql` runs statements as, when not the `satfarm_sql` role `db migrate` made. */
  databaseReaderUrl: string | undefined;
  /** `postgres` or `file:/dir` (checked where it is used: parseCheckpointStoreSetting). */
  checkpointStore: string;
  checkpointDir: string;
  fashionMnistDir: string;
  cifar10Dir: string | undefined;
  workerId: string | undefined;
}

/**
 * The CLI's settings from its environment (@satfarm/contracts' SatfarmEnvironment), parsed once here
 * with every default filled in; commands get them from here. Below, only the worker's GPU pinning still
 * reads process.env (see docs/architecture.md).
 */
export function readEnv(source: EnvironmentSource = process.env): SatfarmEnv {
  const e = parseEnvironment(source);
  return {
    redisUrl: e.REDIS_URL ?? DEFAULT_REDIS_URL,
    databaseUrl: e.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    databaseReaderUrl: e.DATABASE_READER_URL,
    checkpointStore: e.CHECKPOINT_STORE ?? DEFAULT_CHECKPOINT_STORE,
    checkpointDir: e.CHECKPOINT_DIR,
    fashionMnistDir: e.FASHION_MNIST_DIR,
    cifar10Dir: e.CIFAR10_DIR,
    workerId: e.SATFARM_WORKER_ID,
  };
}
