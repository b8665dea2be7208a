import { z } from 'zod';

/** Where the file checkpoint store writes when CHECKPOINT_DIR (or `--checkpoint-dir`) names no directory. */
export const DEFAULT_CHECKPOINT_DIR = '.checkpoints';

/** Where Fashion-MNIST is looked for when FASHION_MNIST_DIR names no directory (Debian's dataset package). */
export const DEFAULT_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/**
 * Every environment variable a satfarm process reads: the CLI, the standalone worker and aggregator and
 * the benchmarks parse it once at their edge (`parseEnvironment(process.env)`) and pass the values down;
 * nothing below them reads process.env. Pure: no I/O here.
 *
 * The variables whose defaults belong to the package that uses them stay undefined when unset and the
 * entry point fills them in from there: REDIS_URL (`DEFAULT_REDIS_URL`, @satfarm/queue), DATABASE_URL
 * (`DEFAULT_DATABASE_URL`, @satfarm/db) and CHECKPOINT_STORE (`DEFAULT_CHECKPOINT_STORE`, @satfarm/checkpoints).
 */
export const SatfarmEnvironment = z.object({
  REDIS_URL: z.string().min(1).optional(),
  DATABASE_URL: z.string().min(1).optional(),
  /** The login `satfarm sql` runs statements as, when not the `satfarm_sql` role `db migrate` made. */
  DATABASE_READER_URL: z.string().min(1).optional(),
  /** `postgres` or `file:/dir` (checked where it is used: parseCheckpointStoreSetting). */
  CHECKPOINT_STORE: z.string().min(1).optional(),
  CHECKPOINT_DIR: z.string().min(1).default(DEFAULT_CHECKPOINT_DIR),
  FASHION_MNIST_DIR: z.string().min(1).default(DEFAULT_FASHION_MNIST_DIR),
  CIFAR10_DIR: z.string().min(1).optional(),
  SATFARM_WORKER_ID: z.string().min(1).optional(),
});
export type SatfarmEnvironment = z.infer<typeof SatfarmEnvironment>;

/** The variables as a process's environment holds them (process.env, or a test's record). */
export type EnvironmentSource = Readonly<Record<string, string | undefined>>;

/** A variable satfarm reads holds a value it cannot use; the message names the variable. */
export class InvalidEnvironmentError extends Error {
  override readonly name = 'InvalidEnvironmentError';
}

/** The environment, validated, with the defaults above; throws InvalidEnvironmentError naming the variable. */
export function parseEnvironment(source: EnvironmentSource): SatfarmEnvironment {
  const parsed = SatfarmEnvironment.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidEnvironmentError(`environment variable ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}
