import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { join } from 'node:path';

/** This checkout; `root` in WorkerSettings picks another one. */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface WorkerSettings {
  redisUrl: string;
  prefix: string;
  checkpointDir: string;
  concurrency: number;
  prewarm: boolean;
  fashionMnistDir: string;
  /** Checkout whose `apps/worker/src/main.ts` runs (default: this one). */
  root?: string | undefined;
  /** `--cpu-prof` into this directory; BullMQ forks the trainer processes with the same node flags. */
  cpuProfileDir?: string | undefined;
}

export interface WorkerProcess {
  readonly id: string;
  readonly pid: number;
  /** SIGTERM (graceful: the queue is empty by then), SIGKILL to the whole group after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts one worker the way an operator does (`node --import tsx apps/worker/src/main.ts`), in its own
 * process group so that stopping it also ends its sandboxed children. Resolves once it logged ready.
 */
export async function startWorkerProcess(id: string, settings: WorkerSettings): Promise<WorkerProcess> {
  const root = settings.root ?? ROOT;
  const child = spawn(
    process.execPath,
    [
      ...(settings.cpuProfileDir === undefined
        ? []
        : ['--cpu-prof', `--cpu-prof-dir=${settings.cpuProfileDir}`]),
      '--import',
      'tsx',
      join(root, 'apps/worker/src/main.ts'),
      '--redis-url',
      settings.redisUrl,
      '--prefix',
      settings.prefix,
      '--checkpoint-dir',
      settings.checkpointDir,
      '--backend',
      'wasm',
      '--worker-id',
      id,
      '--concurrency',
      String(settings.concurrency),
      ...(settings.prewarm ? [] : ['--no-prewarm']),
    ],
    {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, FASHION_MNIST_DIR: settings.fashionMnistDir },
    },
  );
  // The worker logs JSON lines (a few per trial): look for `worker ready`, then keep only the last
  // chunks for error messages, so that reading them costs this process next to nothing.
  const tail: string[] = [];
  let isUp = false;
  let ready: () => void = () => {};
  const isReady = new Promise<void>((resolve) => {
    ready = resolve;
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    tail.push(chunk);
    if (tail.length > 8) tail.shift();
    if (!isUp && tail.slice(-2).join('').includes('"worker ready"')) {
      isUp = true;
      ready();
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failed = exited.then(() => {
    throw new Error(`worker ${id} exited during start-up:\n${tail.join('')}`);
  });
  await Promise.race([isReady, failed]);
  failed.catch(() => {});
  return {
    id,
    pid: child.pid!,
    async stop(graceMs = 10_000) {
      signalGroup(child, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // Sandboxed children that outlived their parent.
      signalGroup(child, 'SIGKILL');
    },
  };
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // Already gone.
  }
}
