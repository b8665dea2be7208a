/**
 * A whole farm for integration tests: a fresh PostgreSQL database, a unique BullMQ prefix (optionally
 * on its own Redis database index), an in-process aggregator and worker *processes* started the way an
 * operator would (`node --import tsx apps/worker/src/main.ts`). `close()` kills and removes everything.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AggregatorHandle, startAggregator } from '@satfarm/aggregator';
import { parseSweepSpec, type SweepSpecInput } from '@satfarm/contracts';
import { createTestDatabase, type TestDatabase } from '@satfarm/db/testing';
import { type FarmQueues, openFarmQueues } from '@satfarm/queue';
import { type ServiceProcess, startService } from '@satfarm/service/testing';
import { workerProcessArgs } from '@satfarm/worker/testing';
import { test } from 'vitest';
import { waitFor } from '../support/wait-for.ts';

export { waitFor };

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const silent = { info() {}, warn() {}, error() {} };

let counter = 0;

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

/** A worker process of the farm: its JSON log records, its exit, and `kill` for its whole process group. */
export type WorkerProcess = ServiceProcess;

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

  const startWorker = (
    id: string,
    via: { redisUrl?: string; databaseUrl?: string } = {},
  ): Promise<WorkerProcess> =>
    startService({
      id,
      onSpawn: (worker) => workers.push(worker),
      cwd: ROOT,
      env: { ...process.env, FASHION_MNIST_DIR: '/nonexistent' },
      readyMessage: 'worker ready',
      args: workerProcessArgs({
        workerId: id,
        redisUrl: via.redisUrl ?? redisUrl,
        prefix,
        // The default store: checkpoints in the farm's (this test's) PostgreSQL database.
        databaseUrl: via.databaseUrl ?? db.url,
        checkpointDir,
        lockDurationMs: 2000,
        stalledIntervalMs: 1000,
      }),
    });

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

/**
 * vitest's `test` with `farm`: a farm of its own for each test that asks for it (see `startFarm`),
 * closed after the test's `afterEach` hooks.
 */
export const farmTest = test.extend(
  'farm',
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  async ({}, { onCleanup }): Promise<Farm> => {
    const farm = await startFarm();
    onCleanup(() => farm.close());
    return farm;
  },
);

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
