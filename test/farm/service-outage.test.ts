/**
 * Redis and PostgreSQL going away for a while under a running worker (a network outage between its
 * host and the services host, played by TCP forwarders that are closed and reopened): the worker says
 * so in one line naming the server, keeps going, and the sweep completes with nothing lost.
 */
import { sweepStatus } from '@satfarm/db';
import { createSweepFromSpec } from '@satfarm/scheduler';
import type { TrialProgress } from '@satfarm/worker';
import { afterEach, describe, expect } from 'vitest';
import { startTcpForwarder, type TcpForwarder } from '../support/tcp-forwarder.ts';
import { epochsTrained, farmTest as it, tinySpec, trialRows, waitFor } from './harness.ts';

const forwarders: TcpForwarder[] = [];
afterEach(async () => {
  await Promise.all(forwarders.splice(0).map((f) => f.close()));
});

const via = (url: string, forwarder: TcpForwarder) => {
  const u = new URL(url);
  u.host = `127.0.0.1:${forwarder.port}`;
  return u.toString();
};

describe('services away for a while under a running worker', () => {
  it('logs one line per outage naming the server, retries, and the sweep completes with nothing lost', async ({
    farm,
  }) => {
    const { db, queues } = farm;
    const redis = await startTcpForwarder({
      listenHost: '127.0.0.1',
      target: { host: '127.0.0.1', port: 6379 },
    });
    const postgres = await startTcpForwarder({
      listenHost: '127.0.0.1',
      target: { host: '127.0.0.1', port: 5432 },
    });
    forwarders.push(redis, postgres);
    const worker = await farm.startWorker('o1', {
      redisUrl: via(farm.redisUrl, redis),
      databaseUrl: via(db.url, postgres),
    });
    const spec = tinySpec('farm-outage', {
      dataset: { name: 'synthetic', trainLimit: 1024, testLimit: 64 },
      grid: { architecture: ['simple-cnn'], resolution: [16], seed: [1], depth: [2], baseWidth: [4] },
      training: { epochs: 4, batchSize: 32, learningRate: 0.01 },
    });
    const { sweepId } = await createSweepFromSpec({ pool: db.pool, trialsQueue: queues.trials, spec });
    const progress = async () =>
      ((await queues.trials.getJobs(['active']))[0]?.progress as Partial<TrialProgress> | undefined)?.epoch ??
      0;

    // PostgreSQL away across an epoch boundary: the checkpoint save waits for it.
    await waitFor('epoch 1', async () => ((await progress()) >= 1 ? true : undefined));
    await postgres.close();
    await waitFor('a checkpoint save to wait for PostgreSQL', () =>
      worker.logs.some((l) => l.msg === 'checkpoint store unreachable; retrying') ? true : undefined,
    );
    await postgres.reopen();

    // Redis away for a few seconds: the worker reports it (once), reconnects and carries on.
    await redis.close();
    await waitFor('the worker to report Redis away', () =>
      worker.logs.some((l) => l.msg?.toString().startsWith('Redis unreachable')) ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 3_000));
    await redis.reopen();

    await waitFor(
      'the sweep to complete',
      async () => ((await sweepStatus(db.pool, sweepId)).status === 'completed' ? true : undefined),
      120_000,
    );
    const [row] = await trialRows(db);
    expect(row).toMatchObject({ status: 'completed', epochs: 4 });

    const redisLines = worker.logs.filter((l) => l.msg?.toString().startsWith('Redis unreachable'));
    // Reconnect attempts fail every second or so; the worker says it once per 30 s.
    expect(redisLines).toHaveLength(1);
    expect(redisLines[0]).toMatchObject({ level: 'warn', redis: `redis://127.0.0.1:${redis.port}/0` });
    expect(JSON.stringify(redisLines[0])).not.toMatch(/stack| {4}at /);
    expect(worker.logs.some((l) => l.msg === 'Redis reachable again')).toBe(true);
    const pgLine = worker.logs.find((l) => l.msg === 'checkpoint store unreachable; retrying')!;
    expect(pgLine).toMatchObject({ level: 'warn', operation: 'save', retryInMs: 500 });
    expect(String(pgLine.error)).toMatch(
      new RegExp(`cannot connect to PostgreSQL at postgres://127\\.0\\.0\\.1:${postgres.port}/`),
    );
    expect(JSON.stringify(pgLine)).not.toMatch(/stack| {4}at /);
    // Still the same process, and no epoch was trained twice.
    expect(worker.process.exitCode).toBeNull();
    expect([...epochsTrained([worker])].filter(([, n]) => n > 1)).toEqual([]);
  });
});
