import { DEFAULT_CHECKPOINT_STORE } from '@satfarm/checkpoints';
import { DEFAULT_DATABASE_URL } from '@satfarm/db';
import { z } from 'zod';

/** Every environment variable satfarm reads, parsed once here; nothing below the CLI reads process.env. */
const Env = z.object({
  REDIS_URL: z.string().min(1).default('redis://127.0.0.1:6379'),
  DATABASE_URL: z.string().min(1).default(DEFAULT_DATABASE_URL),
  DATABASE_READER_URL: z.string().min(1).optional(),
  CHECKPOINT_STORE: z.string().min(1).default(DEFAULT_CHECKPOINT_STORE),
  CHECKPOINT_DIR: z.string().min(1).default('.checkpoints'),
  FASHION_MNIST_DIR: z.string().min(1).default('/usr/share/datasets/fashion-mnist'),
  CIFAR10_DIR: z.string().min(1).optional(),
  SATFARM_WORKER_ID: z.string().min(1).optional(),
});

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

export function readEnv(source: NodeJS.ProcessEnv = process.env): SatfarmEnv {
  const parsed = Env.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`environment variable ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  return {
    redisUrl: e.REDIS_URL,
    databaseUrl: e.DATABASE_URL,
    databaseReaderUrl: e.DATABASE_READER_URL,
    checkpointStore: e.CHECKPOINT_STORE,
    checkpointDir: e.CHECKPOINT_DIR,
    fashionMnistDir: e.FASHION_MNIST_DIR,
    cifar10Dir: e.CIFAR10_DIR,
    workerId: e.SATFARM_WORKER_ID,
  };
}
