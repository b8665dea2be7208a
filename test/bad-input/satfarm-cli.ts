/**
 * Runs the real `satfarm` command in a child process, as a user would, with a hard time limit (a
 * command that should fail at once but hangs is a bug: it is killed and reported as such).
 */
import { fileURLToPath } from 'node:url';
import { openFarmQueues } from '@satfarm/queue';
import { type ProcessRun, runProcess } from '../support/run-process.ts';

const BIN = fileURLToPath(new URL('../../apps/cli/bin/satfarm.mjs', import.meta.url));

export type CliRun = ProcessRun;

/** Closed ports on this machine: connecting is refused at once. */
export const CLOSED_REDIS_URL = 'redis://127.0.0.1:1';
export const CLOSED_DATABASE_URL = 'postgres://127.0.0.1:1/satfarm';
/** The CLI always uses the BullMQ prefix `satfarm`; these tests keep it on a Redis database of their own. */
export const TEST_REDIS_URL = 'redis://127.0.0.1:6379/11';

/** The CLI's trials queue on TEST_REDIS_URL: a refused command must leave its job count as it was. */
export function openTrialJobs(): { count(): Promise<number>; close(): Promise<void> } {
  const queues = openFarmQueues({ redisUrl: TEST_REDIS_URL });
  return {
    count: async () => Object.values(await queues.trials.getJobCounts()).reduce((sum, n) => sum + n, 0),
    close: () => queues.close(),
  };
}

/**
 * At most this many CLIs at once: concurrent tests overlap their start-up (a second of CPU each) without
 * starving the 2-core machine.
 */
const MAX_RUNNING = 3;
let running = 0;
const queued: (() => void)[] = [];

async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_RUNNING) await new Promise<void>((resolve) => queued.push(resolve));
  running += 1;
  try {
    return await fn();
  } finally {
    running -= 1;
    queued.shift()?.();
  }
}

export function satfarm(
  args: readonly string[],
  env: Record<string, string> = {},
  options: { timeoutMs?: number } = {},
): Promise<CliRun> {
  return slot(() => spawnCli(args, env, options));
}

function spawnCli(
  args: readonly string[],
  env: Record<string, string>,
  options: { timeoutMs?: number },
): Promise<CliRun> {
  return runProcess([BIN, ...args], {
    // Defaults that can never reach a real farm: each test names the services it means to use.
    env: {
      REDIS_URL: CLOSED_REDIS_URL,
      DATABASE_URL: CLOSED_DATABASE_URL,
      FASHION_MNIST_DIR: '/nonexistent',
      ...env,
    },
    timeoutMs: options.timeoutMs ?? 60_000,
  });
}

/**
 * What a refused command must look like: a non-zero exit within the time limit, stderr lines that each
 * start with `satfarm:` (no stack trace, no raw library dump), one of them naming the problem.
 */
export function refusal(run: CliRun): { ok: boolean; why: string } {
  if (run.timedOut) return { ok: false, why: 'it hung (killed after the time limit)' };
  if (run.code === 0) return { ok: false, why: 'it exited 0' };
  if (run.code === null) return { ok: false, why: `it died of ${run.signal}` };
  const lines = run.stderr.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return { ok: false, why: 'it printed no error' };
  const stray = lines.find((l) => !/^(satfarm|error):/.test(l));
  if (stray !== undefined) return { ok: false, why: `stray stderr line: ${stray}` };
  return { ok: true, why: '' };
}
