/**
 * A farm of its own for one chaos phase: a fresh PostgreSQL database, a unique BullMQ prefix on the
 * chaos Redis database, a checkpoint directory, an aggregator process and worker processes started the
 * way an operator would. `close()` kills and removes all of it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@satfarm/db/testing';
import { type FarmQueues, openFarmQueues } from '@satfarm/queue';
import { type ServiceProcess, startService } from '@satfarm/service/testing';
import { workerProcessArgs } from '@satfarm/worker/testing';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const AGGREGATOR_ENTRY = join(ROOT, 'bench/chaos/aggregator-entry.ts');

/**
 * Short locks: a killed worker's trial is taken over within seconds. Long enough that a healthy worker
 * starved of CPU by its neighbours (3 trainers on 2 cores) still renews in time.
 */
const WORKER_LOCK_MS = 4_000;
const STALLED_INTERVAL_MS = 1_000;

export interface ChaosFarm {
  redisUrl: string;
  prefix: string;
  db: TestDatabase;
  queues: FarmQueues;
  checkpointDir: string;
  /** Every service process started so far, dead ones included (their logs are evidence). */
  readonly services: readonly ServiceProcess[];
  startWorker(id: string): Promise<ServiceProcess>;
  startAggregator(id: string): Promise<ServiceProcess>;
  close(): Promise<void>;
}

let counter = 0;

export async function openChaosFarm(options: {
  label: string;
  redisUrl: string;
  databaseUrl: string;
}): Promise<ChaosFarm> {
  counter += 1;
  const prefix = `satfarm-chaos-${process.pid}-${counter}-${options.label}`;
  const db = await createTestDatabase(options.databaseUrl);
  const queues = openFarmQueues({ redisUrl: options.redisUrl, prefix });
  const checkpointDir = await mkdtemp(join(tmpdir(), `satfarm-chaos-${options.label}-`));
  const services: ServiceProcess[] = [];
  const env = { ...process.env, FASHION_MNIST_DIR: '/nonexistent', REDIS_URL: '', DATABASE_URL: '' };
  const track = (service: ServiceProcess) => {
    services.push(service);
  };

  return {
    redisUrl: options.redisUrl,
    prefix,
    db,
    queues,
    checkpointDir,
    services,
    startWorker: (id) =>
      startService({
        id,
        onSpawn: track,
        cwd: ROOT,
        env,
        readyMessage: 'worker ready',
        args: workerProcessArgs({
          workerId: id,
          redisUrl: options.redisUrl,
          prefix,
          databaseUrl: db.url,
          checkpointDir,
          lockDurationMs: WORKER_LOCK_MS,
          stalledIntervalMs: STALLED_INTERVAL_MS,
        }),
      }),
    startAggregator: (id) =>
      startService({
        id,
        onSpawn: track,
        cwd: ROOT,
        env,
        readyMessage: 'aggregator ready',
        args: [
          '--import',
          'tsx',
          AGGREGATOR_ENTRY,
          '--redis-url',
          options.redisUrl,
          '--database-url',
          db.url,
          '--prefix',
          prefix,
          '--lock-duration-ms',
          String(WORKER_LOCK_MS),
          '--stalled-interval-ms',
          String(STALLED_INTERVAL_MS),
        ],
      }),
    async close() {
      for (const s of services) s.kill('SIGKILL');
      await Promise.all(services.map((s) => s.exited));
      await queues.obliterate().catch(() => {});
      await queues.close();
      await db.drop();
      await rm(checkpointDir, { recursive: true, force: true });
    },
  };
}
