import { parseSweepSpec, type SweepSpecInput } from '@satfarm/contracts';
import { createTestDatabase, type TestDatabase } from '@satfarm/db/testing';
import { sweepStatus } from '@satfarm/db';
import { type FarmQueues, openFarmQueues, QUEUE_NAMES, redisConnectionOptions } from '@satfarm/queue';
import { UnrecoverableError, Worker } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cancelSweep,
  createSweepFromSpec,
  InvalidSweepTrialsError,
  resumeSweep,
  sweepProgress,
} from '../src/index.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function spec(overrides: Partial<SweepSpecInput> = {}) {
  return parseSweepSpec({
    name: 'scheduler-test',
    dataset: { name: 'synthetic', trainLimit: 64, testLimit: 32 },
    grid: { architecture: ['simple-cnn'], resolution: [16, 24], seed: [1, 2] },
    training: { epochs: 1, batchSize: 32 },
    retries: 2,
    ...overrides,
  });
}

let db: TestDatabase;
let queues: FarmQueues;
beforeEach(async () => {
  db = await createTestDatabase();
  queues = openFarmQueues({ redisUrl: REDIS_URL, prefix: `satfarm-test-s-${process.pid}-${Date.now()}` });
});
afterEach(async () => {
  await queues.obliterate();
  await queues.close();
  await db.drop();
});

const waitingJobs = () => queues.trials.getJobCountByTypes('waiting', 'prioritized', 'delayed', 'active');

describe('createSweepFromSpec', () => {
  it('writes the sweep, enqueues each trial once, and adds nothing the second time', async () => {
    const ctx = { pool: db.pool, trialsQueue: queues.trials };
    const first = await createSweepFromSpec({ ...ctx, spec: spec() });
    expect(first).toMatchObject({ created: true, trials: 4, newTrials: 4, enqueued: 4 });
    expect(await waitingJobs()).toBe(4);
    const job = (await queues.trials.getJobs(['waiting']))[0]!;
    expect(job.opts.attempts).toBe(3);

    const second = await createSweepFromSpec({ ...ctx, spec: spec() });
    expect(second).toEqual({ ...first, created: false, newTrials: 0, enqueued: 0 });
    expect(await waitingJobs()).toBe(4);
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM trials');
    expect(rows[0].n).toBe(4);
  });

  it('enqueues again when Redis still holds a finished job from an earlier database', async () => {
    const ctx = { pool: db.pool, trialsQueue: queues.trials };
    const one = spec({ grid: { architecture: ['simple-cnn'], resolution: [16], seed: [1] } });
    await createSweepFromSpec({ ...ctx, spec: one });
    const finishing = new Worker(QUEUE_NAMES.trials, async () => 'done', {
      connection: redisConnectionOptions(REDIS_URL, { worker: true }),
      prefix: queues.trials.opts.prefix,
    });
    try {
      await new Promise<void>((resolve) => finishing.once('completed', () => resolve()));
    } finally {
      await finishing.close();
    }
    // The database is recreated (here: emptied) while Redis keeps the completed job under the same id.
    await db.pool.query('DELETE FROM sweeps');
    const again = await createSweepFromSpec({ ...ctx, spec: one });
    expect(again).toMatchObject({ created: true, enqueued: 1 });
    // Without removing the stale job, BullMQ would ignore the new one and the trial would never run.
    expect(await waitingJobs()).toBe(1);
  });

  it('re-enqueues queued trials whose job was lost between the write and the enqueue', async () => {
    const ctx = { pool: db.pool, trialsQueue: queues.trials };
    await createSweepFromSpec({ ...ctx, spec: spec() });
    const [lost] = await queues.trials.getJobs(['waiting']);
    await lost!.remove();
    const again = await createSweepFromSpec({ ...ctx, spec: spec() });
    expect(again.enqueued).toBe(1);
    expect(await queues.trials.getJob(lost!.id!)).toBeDefined();
  });

  it('rejects a spec with a trial below its minimum resolution before writing or enqueuing anything', async () => {
    const bad = spec({ grid: { architecture: ['simple-cnn', 'vgg11'], resolution: [8, 32], seed: [1] } });
    const error = await createSweepFromSpec({ pool: db.pool, trialsQueue: queues.trials, spec: bad }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidSweepTrialsError);
    const message = (error as Error).message;
    expect(message).toMatch(/vgg11 at resolution 8 .*minimum of 32/);
    expect(message).not.toMatch(/resolution 32 \(/);
    const { rows } = await db.pool.query(
      'SELECT (SELECT count(*) FROM sweeps)::int AS s, (SELECT count(*) FROM trials)::int AS t',
    );
    expect(rows[0]).toEqual({ s: 0, t: 0 });
    expect(await waitingJobs()).toBe(0);
  });
});

describe('resumeSweep and cancelSweep', () => {
  it('re-enqueues every unfinished trial after Redis lost its jobs, numbering attempts after the stored ones', async () => {
    const ctx = { pool: db.pool, trialsQueue: queues.trials };
    const { sweepId } = await createSweepFromSpec({ ...ctx, spec: spec() });
    await db.pool.query(`UPDATE trials SET attempts = 2, status = 'running' WHERE ordinal = 0`);
    await db.pool.query(`UPDATE trials SET status = 'completed' WHERE ordinal = 1`);
    await queues.obliterate();

    const resumed = await resumeSweep({ ...ctx, sweep: sweepId });
    expect(resumed).toEqual({ sweepId, completedFromRows: 0, requeued: 3, alreadyQueued: 0, running: 0 });
    const jobs = await queues.trials.getJobs(['waiting']);
    expect(jobs.map((j) => j.data.attemptsBefore).sort()).toEqual([0, 0, 2]);
    const { rows } = await db.pool.query(`SELECT status FROM trials ORDER BY ordinal`);
    expect(rows.map((r) => r.status)).toEqual(['queued', 'completed', 'queued', 'queued']);

    // Nothing lost this time: everything is still waiting, nothing is added.
    expect(await resumeSweep({ ...ctx, sweep: sweepId })).toMatchObject({ requeued: 0, alreadyQueued: 3 });
    expect(await waitingJobs()).toBe(3);
  });

  it('completes instead of retraining a trial whose every epoch is stored (lost `finished`, late cancel)', async () => {
    const ctx = { pool: db.pool, trialsQueue: queues.trials };
    const { sweepId } = await createSweepFromSpec({
      ...ctx,
      spec: spec({ training: { epochs: 2, batchSize: 32 } }),
    });
    const ids = (await db.pool.query<{ id: string }>('SELECT id FROM trials ORDER BY ordinal')).rows.map(
      (r) => r.id,
    );
    const epochRow = (trialId: string, epoch: number) =>
      db.pool.query(
        `INSERT INTO epoch_metrics (trial_id, epoch, attempt, train_loss, train_accuracy, test_loss, test_accuracy, seconds, backend)
         VALUES ($1, $2, 1, 1, 0.5, 1, 0.5, 1, 'wasm')`,
        [trialId, epoch],
      );
    // 0: running, both epochs stored, its job (and `finished`) lost; 1: cancelled during its last epoch;
    // 2: running with one of two epochs stored; 3: queued with nothing.
    await db.pool.query(`UPDATE trials SET status = 'running', attempts = 1 WHERE ordinal IN (0, 2)`);
    await db.pool.query(`UPDATE trials SET status = 'cancelled', attempts = 1 WHERE ordinal = 1`);
    for (const [trial, epochs] of [
      [ids[0]!, 2],
      [ids[1]!, 2],
      [ids[2]!, 1],
    ] as const) {
      for (let e = 1; e <= epochs; e++) await epochRow(trial, e);
    }
    await queues.obliterate();

    const resumed = await resumeSweep({ ...ctx, sweep: sweepId });
    expect(resumed).toMatchObject({ completedFromRows: 2, requeued: 2 });
    const { rows } = await db.pool.query(`SELECT status FROM trials ORDER BY ordinal`);
    expect(rows.map((r) => r.status)).toEqual(['completed', 'completed', 'queued', 'queued']);
    expect((await queues.trials.getJobs(['waiting'])).map((j) => j.data.trialId).sort()).toEqual(
      [ids[2], ids[3]].sort(),
    );
  });

  it('replaces a failed job with a fresh one', async () => {
    const ctx = { pool: db.pool, trialsQueue: queues.trials };
    const { sweepId } = await createSweepFromSpec({
      ...ctx,
      spec: spec({ grid: { architecture: ['simple-cnn'], resolution: [16] } }),
    });
    const [job] = await queues.trials.getJobs(['waiting']);
    // A worker that fails every job for good, as the last attempt of a real trial would.
    const failing = new Worker(
      QUEUE_NAMES.trials,
      async () => {
        throw new UnrecoverableError('boom');
      },
      { connection: redisConnectionOptions(REDIS_URL, { worker: true }), prefix: queues.trials.opts.prefix },
    );
    try {
      await new Promise<void>((resolve) => failing.once('failed', () => resolve()));
    } finally {
      await failing.close();
    }
    await db.pool.query(`UPDATE trials SET status = 'failed', attempts = 3`);
    expect(await queues.trials.getJobState(job!.id!)).toBe('failed');
    expect(await resumeSweep({ ...ctx, sweep: sweepId })).toMatchObject({ requeued: 1 });
    expect(await queues.trials.getJobState(job!.id!)).toBe('waiting');
    expect((await queues.trials.getJob(job!.id!))?.data.attemptsBefore).toBe(3);
  });

  it('cancels a running trial by flagging its job, and resume clears the flag', async () => {
    const ctx = { pool: db.pool, trialsQueue: queues.trials };
    const { sweepId } = await createSweepFromSpec({
      ...ctx,
      spec: spec({ grid: { architecture: ['simple-cnn'], resolution: [16] } }),
    });
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // A worker that holds the job until released, like a trainer in the middle of an epoch.
    const holder = new Worker(QUEUE_NAMES.trials, () => held, {
      connection: redisConnectionOptions(REDIS_URL, { worker: true }),
      prefix: queues.trials.opts.prefix,
    });
    try {
      await new Promise<void>((resolve) => holder.once('active', () => resolve()));
      const [job] = await queues.trials.getJobs(['active']);
      expect(await cancelSweep({ ...ctx, sweep: sweepId })).toMatchObject({
        removedJobs: 0,
        stillRunning: 1,
      });
      expect((await queues.trials.getJob(job!.id!))?.data.cancelled).toBe(true);
      expect(await resumeSweep({ ...ctx, sweep: sweepId })).toMatchObject({ requeued: 0, running: 1 });
      expect((await queues.trials.getJob(job!.id!))?.data.cancelled).toBe(false);
      expect((await sweepStatus(db.pool, sweepId)).counts.queued).toBe(1);
    } finally {
      release();
      await holder.close();
    }
  });

  it('cancels: marks open trials cancelled and removes their waiting jobs', async () => {
    const ctx = { pool: db.pool, trialsQueue: queues.trials };
    const { sweepId } = await createSweepFromSpec({ ...ctx, spec: spec() });
    const outcome = await cancelSweep({ ...ctx, sweep: sweepId });
    expect(outcome).toEqual({
      sweepId,
      status: 'cancelled',
      cancelledTrials: 4,
      removedJobs: 4,
      stillRunning: 0,
    });
    expect(await waitingJobs()).toBe(0);
    const progress = await sweepProgress({ ...ctx, sweep: sweepId });
    expect(progress.counts.cancelled).toBe(4);
    expect(progress.queue).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
    expect((await sweepStatus(db.pool, sweepId)).status).toBe('cancelled');
  });
});
