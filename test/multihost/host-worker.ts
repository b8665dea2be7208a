/**
 * A worker process started on a test host (a network namespace) the way an operator would start it on
 * a machine of its own: `node --import tsx apps/worker/src/main.ts …`, with only the services host's
 * addresses to reach Redis and PostgreSQL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Host } from './netns.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKER_ENTRY = join(ROOT, 'apps/worker/src/main.ts');
const INHERITED_NOT = [
  'REDIS_URL',
  'DATABASE_URL',
  'DATABASE_READER_URL',
  'CHECKPOINT_STORE',
  'CHECKPOINT_DIR',
];

export interface HostWorker {
  readonly id: string;
  readonly host: Host;
  readonly process: ChildProcess;
  /** JSON log records it wrote to stderr so far (other lines as `{ level: 'raw', msg }`). */
  readonly logs: Record<string, unknown>[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True once the process has exited. */
  readonly done: boolean;
}

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
  const { host } = options;
  const [command, ...prefixArgs] = host.exec;
  // `ip netns exec` execs node in place: the child's pid is the worker's, and its process group holds
  // the worker's sandboxed trainer processes too.
  const args = [
    ...prefixArgs,
    process.execPath,
    '--import',
    'tsx',
    WORKER_ENTRY,
    '--redis-url',
    options.redisUrl,
    '--database-url',
    options.databaseUrl,
    '--checkpoint-store',
    options.checkpointStore,
    '--checkpoint-dir',
    options.checkpointDir,
    '--prefix',
    options.prefix,
    '--worker-id',
    options.id,
    '--concurrency',
    '1',
    '--backend',
    'wasm',
    // Short locks: a dead host's trial is taken over within seconds, not a minute.
    '--lock-duration-ms',
    '2000',
    '--stalled-interval-ms',
    '1000',
  ];
  const child = spawn(command!, args, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    // Only the flags say where the services are: the variables are unset, so that a part of the worker
    // that read them instead would fall back to a loopback default, where nothing listens on this host.
    env: {
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !INHERITED_NOT.includes(name))),
      FASHION_MNIST_DIR: '/nonexistent',
    },
  });
  const logs: Record<string, unknown>[] = [];
  let buffered = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      if (line.length === 0) continue;
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ level: 'raw', msg: line });
      }
    }
  });
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    }),
  );
  return {
    id: options.id,
    host,
    process: child,
    logs,
    exited,
    get done() {
      return done;
    },
  };
}

/** The last few log records of a worker, for failure messages. */
export function lastLogs(worker: HostWorker, n = 8): string {
  return worker.logs
    .slice(-n)
    .map((l) => JSON.stringify(l))
    .join('\n');
}
