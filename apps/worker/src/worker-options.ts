import { hostname } from 'node:os';
import {
  CHECKPOINT_STORE_EXPECTED,
  type CheckpointStoreSetting,
  CheckpointStoreSettingError,
  DEFAULT_CHECKPOINT_STORE,
  parseCheckpointStoreSetting,
} from '@satfarm/checkpoints';
import { BackendName, PrintableName } from '@satfarm/contracts';
import { DEFAULT_DATABASE_URL } from '@satfarm/db';
import { DEFAULT_PREFIX, type Logger } from '@satfarm/queue';
import { z } from 'zod';
import { NVIDIA_GPUS_DIR } from './gpu-discovery.ts';

const GpuId = z.string().regex(/^(0|[1-9]\d*)$/, 'expected a GPU id: a whole number >= 0, e.g. 0');

const Gpus = z
  .array(GpuId)
  .min(1, 'expected at least one GPU id')
  .refine((gpus) => new Set(gpus).size === gpus.length, 'expected each GPU id once');

// The one declaration of the worker's options: the type callers write (WorkerOptions) is its input.
const WorkerOptionFields = z.object({
  redisUrl: z.string().min(1),
  /** BullMQ key prefix (default `satfarm`); tests use a unique one. */
  prefix: z.string().min(1).default(DEFAULT_PREFIX),
  /**
   * Trials trained at once, each in its own child process (default 1; with `gpus`, one per GPU). With
   * `gpus` it is the total, spread over the GPUs as evenly as possible, and at least one per GPU.
   */
  concurrency: z.number().int().min(1).max(256).optional(),
  /**
   * GPU ids as nvidia-smi numbers them (`['0', '1']`): one BullMQ worker per GPU in this process, named
   * `<workerId>/gpu<id>`, whose trainer processes are pinned to that GPU through their environment (see
   * gpu-pinning.ts). Without it trainers see every GPU the process sees.
   */
  gpus: Gpus.optional(),
  /** Where the NVIDIA driver lists GPUs by PCI bus id (default /proc/driver/nvidia/gpus); tests point it elsewhere. */
  nvidiaGpusDir: z.string().min(1).default(NVIDIA_GPUS_DIR),
  /** The farm's database: the postgres checkpoint store lives there (default DEFAULT_DATABASE_URL). */
  databaseUrl: z.string().min(1).default(DEFAULT_DATABASE_URL),
  /** `postgres` (default) or `file:/dir`; `file` alone means `checkpointDir`. */
  checkpointStore: z.string().min(1).default(DEFAULT_CHECKPOINT_STORE),
  /** The file store's directory when `checkpointStore` is `file`. */
  checkpointDir: z.string().min(1),
  fashionMnistDir: z.string().min(1),
  cifar10Dir: z.string().min(1).optional(),
  backend: BackendName.default('auto'),
  /** Shown in `started` events and logs (default `<hostname>:<pid>`); stored and printed: no control characters. */
  workerId: PrintableName.default(() => `${hostname()}:${process.pid}`),
  /**
   * How long a job's lock lives without renewal, and how often stalled jobs are looked for: a crashed
   * worker's trial is taken over after at most about lockDuration + stalledInterval. Defaults 30 s / 30 s;
   * tests make them short.
   */
  lockDurationMs: z.number().int().min(500).default(30_000),
  stalledIntervalMs: z.number().int().min(100).default(30_000),
  /** Stalls (crashes, lost locks) a trial survives before BullMQ fails it (default 3: checkpoints make retakes cheap). */
  maxStalledCount: z.number().int().min(0).default(3),
  /** Prepared datasets each child keeps between jobs (default 1: a 60k-image set at 64 px is ~1 GB). */
  datasetCacheSize: z.number().int().min(0).max(64).default(1),
  /** Give up on an unreachable Redis after this long at start-up (default 3 s). */
  redisTimeoutMs: z.number().int().min(1).default(3_000),
  /**
   * Start all `concurrency` trainer processes (and load tfjs in them) before taking the first trial
   * (default true); otherwise each is forked with its first trial, which then waits 1-3 s longer.
   */
  prewarm: z.boolean().default(true),
  /** How long start-up waits for a trainer process to be ready before going on without it (default 120 s). */
  prewarmTimeoutMs: z.number().int().min(1).default(120_000),
});

/**
 * What `startWorker` takes (the CLI builds it from flags and its env; tests pass it directly): the
 * fields above as a caller writes them (defaults optional, `undefined` meaning "the default"), plus the
 * logger, which is not configuration.
 */
export type WorkerOptions = Omit<z.input<typeof WorkerOptionFields>, 'gpus'> & {
  gpus?: readonly string[] | undefined;
  logger?: Logger | undefined;
};

/** Everything normalised once; code below this trusts it. `concurrency` is the total over all GPUs. */
export const CompiledWorkerOptions = WorkerOptionFields.superRefine((o, ctx) => {
  if (!validCheckpointStore(o.checkpointStore, o.checkpointDir)) {
    ctx.addIssue({ code: 'custom', path: ['checkpointStore'], message: CHECKPOINT_STORE_EXPECTED });
  }
  if (o.gpus !== undefined && o.concurrency !== undefined && o.concurrency < o.gpus.length) {
    ctx.addIssue({
      code: 'custom',
      path: ['concurrency'],
      message:
        `${o.concurrency} trainer(s) for ${o.gpus.length} GPUs (${o.gpus.join(',')}) would leave a GPU idle; ` +
        `expected at least ${o.gpus.length} (one per GPU), or fewer GPUs`,
    });
  }
}).transform((o) => ({ ...o, concurrency: o.concurrency ?? o.gpus?.length ?? 1 }));
export type CompiledWorkerOptions = z.infer<typeof CompiledWorkerOptions>;

function validCheckpointStore(value: string, checkpointDir: string): boolean {
  try {
    parseCheckpointStoreSetting(value, { field: 'checkpointStore', checkpointDir });
    return true;
  } catch (error) {
    if (error instanceof CheckpointStoreSettingError) return false;
    throw error;
  }
}

/** The checkpoint store the compiled options name (valid: compileWorkerOptions checked it). */
export function checkpointStoreOf(o: CompiledWorkerOptions): CheckpointStoreSetting {
  return parseCheckpointStoreSetting(o.checkpointStore, {
    field: 'checkpointStore',
    checkpointDir: o.checkpointDir,
  });
}

/** A bad option: names it, the value and what is valid. */
export class InvalidWorkerOptionError extends Error {
  override readonly name = 'InvalidWorkerOptionError';
  constructor(readonly problems: string) {
    super(`invalid worker options: ${problems}`);
  }
}

export function compileWorkerOptions(options: WorkerOptions): CompiledWorkerOptions {
  const { logger: _logger, ...plain } = options;
  const defined = Object.fromEntries(Object.entries(plain).filter(([, v]) => v !== undefined));
  const parsed = CompiledWorkerOptions.safeParse(defined);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const got = i.path.length > 0 ? (defined as Record<string, unknown>)[String(i.path[0])] : undefined;
      return `${i.path.join('.')}: ${i.message} (got ${JSON.stringify(got)})`;
    });
    throw new InvalidWorkerOptionError(problems.join('; '));
  }
  return parsed.data;
}
