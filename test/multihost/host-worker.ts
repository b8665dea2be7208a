/**
 * A worker process started on a test host (a network namespace) the way an operator would start it on
 * a machine of its own: `node --import tsx apps/worker/src/main.ts …`, with only the services host's
 * addresses to reach Redis and PostgreSQL.
 */
import { fileURLToPath } from 'node:url';
import { type ServiceProcess, spawnService } from '@satfarm/service/testing';
import { workerProcessArgs } from '@satfarm/worker/testing';
import type { Host } from './netns.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const INHERITED_NOT = [
  'REDIS_URL',
  'DATABASE_URL',
  'DATABASE_READER_URL',
  'CHECKPOINT_STORE',
  'CHECKPOINT_DIR',
];

/** A worker process on a test host: its JSON log records, its exit, and `kill` for its whole process group. */
export type HostWorker = ServiceProcess;

export interface HostWorkerOptions {
  id: string;
  host: Host;
  redisUrl: string;
  databaseUrl: string;
  prefix: string;
  /** `--checkpoint-store`: `postgres`, or `file:DIR`. */
  checkpointStore: string;
  /** The host's own directory (`--checkpoint-dir`); no other host sees it. */
  checkpointDir: string;
}

export function startHostWorker(options: HostWorkerOptions): HostWorker {
  return spawnService({
    id: options.id,
    // `ip netns exec` execs node in place: the child's pid is the worker's, and its process group holds
    // the worker's sandboxed trainer processes too.
    wrapper: options.host.exec,
    cwd: ROOT,
    // Only the flags say where the services are: the variables are unset, so that a part of the worker
    // that read them instead would fall back to a loopback default, where nothing listens on this host.
    env: {
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !INHERITED_NOT.includes(name))),
      FASHION_MNIST_DIR: '/nonexistent',
    },
    args: workerProcessArgs({
      workerId: options.id,
      redisUrl: options.redisUrl,
      databaseUrl: options.databaseUrl,
      checkpointStore: options.checkpointStore,
      checkpointDir: options.checkpointDir,
      prefix: options.prefix,
      concurrency: 1,
      // Short locks: a dead host's trial is taken over within seconds, not a minute.
      lockDurationMs: 2000,
      stalledIntervalMs: 1000,
    }),
  });
}

/** The last few log records of a worker, for failure messages. */
export function lastLogs(worker: HostWorker, n = 8): string {
  return worker.logs
    .slice(-n)
    .map((l) => JSON.stringify(l))
    .join('\n');
}
