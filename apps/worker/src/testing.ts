// Starting the standalone worker as a process, for tests and benches: `@satfarm/worker/testing` only
// (it loads nothing of the worker itself).
import { fileURLToPath } from 'node:url';

/** The standalone worker's entry script: `node --import tsx WORKER_MAIN [flags]`. */
export const WORKER_MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

export interface WorkerProcessFlags {
  workerId: string;
  redisUrl: string;
  prefix: string;
  databaseUrl: string;
  /** `--checkpoint-store`; unset: the worker's default (PostgreSQL, `databaseUrl`'s database). */
  checkpointStore?: string;
  checkpointDir: string;
  /** `--backend` (default wasm: the same numbers on every machine, no GPU needed). */
  backend?: string;
  concurrency?: number;
  /** Short locks: a killed worker's trial is taken over within seconds, not a minute. */
  lockDurationMs: number;
  stalledIntervalMs: number;
}

/** node's arguments that run the standalone worker with these flags, as an operator would start it. */
export function workerProcessArgs(flags: WorkerProcessFlags): string[] {
  return [
    '--import',
    'tsx',
    WORKER_MAIN,
    '--worker-id',
    flags.workerId,
    '--redis-url',
    flags.redisUrl,
    '--prefix',
    flags.prefix,
    '--database-url',
    flags.databaseUrl,
    ...(flags.checkpointStore === undefined ? [] : ['--checkpoint-store', flags.checkpointStore]),
    '--checkpoint-dir',
    flags.checkpointDir,
    '--backend',
    flags.backend ?? 'wasm',
    ...(flags.concurrency === undefined ? [] : ['--concurrency', String(flags.concurrency)]),
    '--lock-duration-ms',
    String(flags.lockDurationMs),
    '--stalled-interval-ms',
    String(flags.stalledIntervalMs),
  ];
}
