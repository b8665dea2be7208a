/**
 * A whole farm for integration tests: a fresh PostgreSQL database, a unique BullMQ prefix (optionally
 * on its own Redis database index), an in-process aggregator and worker *processes* started the way an
 * operator would (`node --import tsx apps/worker/src/main.ts`). `close()` kills and removes everything.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AggregatorHandle, startAggregator } from '@satfarm/aggregator';
import { parseSweepSpec, type SweepSpecInput } from '@satfarm/contracts';
import { createTestDatabase, type TestDatabase } from '@satfarm/db/testing';
import { type FarmQueues, openFarmQueues } from '@satfarm/queue';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKER_ENTRY = join(ROOT, 'apps/worker/src/main.ts');
const silent = { info() {}, warn() {}, error() {} };

let counter = 0;

/** Polls `probe` until it returns something other than undefined (no fixed sleeps in tests). */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A tiny, fast sweep on the synthetic dataset (a second or two per trial on one core). */
export function tinySpec(name: string, overrides: Partial<SweepSpecInput> = {}) {
  return parseSweepSpec({
    name,
    dataset: { name: 'synthetic', trainLimit: 96, testLimit: 48 },
    grid: { architecture: ['simple-cnn'], resolution: [12, 16], seed: [1, 2, 3], depth: [2], baseWidth: [4] },
    training: { epochs: 2, batchSize: 32, learningRate: 0.01 },
    retries: 2,
    ...overrides,
  });
}

export interface WorkerProcess {
  readonly id: string;
  readonly process: ChildProcess;
  /** JSON log records it wrote to stderr so far. */
  readonly logs: Record<string, unknown>[];
  /** Signals the worker's whole process group (its sandboxed children included). */
  kill(signal: NodeJS.Signals): void;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface Farm {
  redisUrl: string;
  prefix: string;
  db: TestDatabase;
  queues: FarmQueues;
  checkpointDir: string;
  /** Trial ids with a checkpoint stored (the workers use the postgres store, in `db`). */
  storedCheckpoints(): Promise<string[]>;
  /** Stops the aggregator (results then wait in Redis) and starts a fresh one. */
  stopAggregator(): Promise<void>;
  startAggregator(): Promise<void>;
  /** Starts a worker process; `via` replaces the Redis and database URLs it is given (a forwarder). */
  startWorker(id: string, via?: { redisUrl?: string; databaseUrl?: string }): Promise<WorkerProcess>;
  close(): Promise<void>;
}

export async function startFarm(options: { redisDb?: number } = {}): Promise<Farm> {
  counter += 1;
  const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  url.pathname = `/${options.redisDb ?? 0}`;
  const redisUrl = url.toString();
  const prefix = `satfarm-test-farm-${process.pid}-${counter}-${Date.now()}`;
  const db = await createTestDatabase();
  const queues = openFarmQueues({ redisUrl, prefix });
  const checkpointDir = await mkdtemp(join(tmpdir(), 'satfarm-farm-ckpt-'));
  const newAggregator = () =>
    startAggregator({ redisUrl, pool: db.pool, prefix, flushMs: 20, logger: silent });
  let aggregator: AggregatorHandle | undefined = await newAggregator();
  const workers: WorkerProcess[] = [];

  const startWorker = async (
    id: string,
    via: { redisUrl?: string; databaseUrl?: string } = {},
  ): Promise<WorkerProcess> => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        WORKER_ENTRY,
        '--redis-url',
        via.redisUrl ?? redisUrl,
        '--prefix',
        prefix,
        // The default store: checkpoints in the farm's (this test's) PostgreSQL database.
        '--database-url',
        via.databaseUrl ?? db.url,
        '--checkpoint-dir',
        checkpointDir,
        '--backend',
        'wasm',
        '--worker-id',
        id,
        // Short locks: a killed worker's trial is taken over within seconds, not a minute.
        '--lock-duration-ms',
        '2000',
        '--stalled-interval-ms',
        '1000',
      ],
      {
        cwd: ROOT,
        detached: true,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, FASHION_MNIST_DIR: '/nonexistent' },
      },
    );
    const logs: Record<string, unknown>[] = [];
    let buffered = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        try {
          logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          logs.push({ level: 'raw', msg: line });
        }
      }
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const worker: WorkerProcess = {
      id,
      process: child,
      logs,
      exited,
      kill(signal) {
        try {
          process.kill(-child.pid!, signal);
        } catch {
          // Already gone.
        }
      },
    };
    workers.push(worker);
    let done = false;
    void exited.then(() => {
      done = true;
    });
    await waitFor(`worker ${id} to be ready`, () => {
      if (done) throw new Error(`worker ${id} exited during start-up: ${JSON.stringify(logs.slice(-5))}`);
      return logs.some((l) => l.msg === 'worker ready') ? true : undefined;
    });
    return worker;
  };

  return {
    redisUrl,
    prefix,
    db,
    queues,
    checkpointDir,
    async storedCheckpoints() {
      const { rows } = await db.pool.query<{ trial_id: string }>(
        'SELECT trial_id FROM trial_checkpoints ORDER BY trial_id',
      );
      return rows.map((r) => r.trial_id);
    },
    async stopAggregator() {
      await aggregator?.close();
      aggregator = undefined;
    },
    async startAggregator() {
      aggregator ??= await newAggregator();
    },
    startWorker,
    async close() {
      for (const w of workers) w.kill('SIGKILL');
      await Promise.all(workers.map((w) => w.exited));
      await aggregator?.close();
      await queues.obliterate().catch(() => {});
      await queues.close();
      await db.drop();
      await rm(checkpointDir, { recursive: true, force: true });
    },
  };
}

/** Rows per trial in PostgreSQL: epochs, layer rows, and whether each is present exactly once. */
export async function trialRows(db: TestDatabase): Promise<
  {
    id: string;
    status: string;
    attempts: number;
    worker: string | null;
    epochs: number;
    layerRows: number;
    planned: number;
    layers: number;
  }[]
> {
  const { rows } = await db.pool.query(
    `SELECT t.id, t.status, t.attempts, t.worker, t.planned_epochs AS planned,
            (SELECT count(*) FROM epoch_metrics e WHERE e.trial_id = t.id)::int AS epochs,
            (SELECT count(*) FROM layer_metrics l WHERE l.trial_id = t.id)::int AS "layerRows",
            (SELECT count(DISTINCT layer_index) FROM layer_metrics l WHERE l.trial_id = t.id)::int AS layers
     FROM trials t ORDER BY t.ordinal`,
  );
  return rows;
}

/**
 * How many times each `trialId:epoch` was trained, from the workers' `epoch done` records (one per epoch
 * trained and checkpointed; epochs replayed from a checkpoint are not logged).
 */
export function epochsTrained(workers: readonly WorkerProcess[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const worker of workers) {
    for (const record of worker.logs) {
      if (record.msg !== 'epoch done') continue;
      const key = `${String(record.trialId)}:${String(record.epoch)}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}
