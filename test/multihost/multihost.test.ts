/**
 * Issue 15: a sweep across two machines with no shared file system. Each worker host is a network
 * namespace with an address of its own and its own checkpoint directory; the services host (this
 * process's root namespace) serves Redis and PostgreSQL through forwarders on its address. Host A is
 * killed whole in the middle of a trial; host B takes the trial over once its lock expires and resumes
 * it from the checkpoint stored in PostgreSQL, training only the epoch A was in the middle of.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type AggregatorHandle, startAggregator } from '@satfarm/aggregator';
import { parseSweepSpec } from '@satfarm/contracts';
import { createTestDatabase, type TestDatabase } from '@satfarm/db/testing';
import { sweepStatus } from '@satfarm/db';
import { type FarmQueues, openFarmQueues } from '@satfarm/queue';
import { createSweepFromSpec } from '@satfarm/scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../farm/harness.ts';
import { type HostWorker, lastLogs, startHostWorker } from './host-worker.ts';
import {
  createHostNetwork,
  type Host,
  type HostNetwork,
  netnsUnavailable,
  removeStaleNetworks,
} from './netns.ts';
import { startTcpForwarder, type TcpForwarder } from '../support/tcp-forwarder.ts';

const run = promisify(execFile);
const silent = { info() {}, warn() {}, error() {} };

const TRIALS = 4;
const EPOCHS = 4;

const skipReason = netnsUnavailable();
if (skipReason !== undefined) console.info(`multi-host test skipped: ${skipReason}`);

/**
 * From inside a host: the services host's Redis answers PING through the forwarder, its PostgreSQL
 * answers an SSLRequest ('N' or 'S'), and the host's own loopback has no Redis (another machine).
 */
async function probeFromHost(
  exec: readonly string[],
  services: { host: string; redisPort: number; pgPort: number },
): Promise<{ redis: string; postgres: string; loopbackRedis: string }> {
  const script = `
    const net = require('node:net');
    const attempt = (port, host, send) => new Promise((resolve) => {
      const s = net.connect({ port, host });
      s.setTimeout(5000, () => { s.destroy(); resolve('timeout'); });
      s.on('error', (e) => resolve(e.code));
      s.on('connect', () => s.write(send));
      s.on('data', (d) => { s.end(); resolve(d.toString().trim()); });
      s.on('close', () => resolve('closed without an answer'));
    });
    (async () => {
      const [host, redisPort, pgPort] = process.argv.slice(1);
      const out = {
        redis: await attempt(Number(redisPort), host, 'PING\\r\\n'),
        postgres: await attempt(Number(pgPort), host, Buffer.from('0000000804d2162f', 'hex')),
        loopbackRedis: await attempt(6379, '127.0.0.1', 'PING\\r\\n'),
      };
      console.log(JSON.stringify(out));
    })();`;
  const [command, ...args] = exec;
  const { stdout } = await run(
    command!,
    [
      ...args,
      process.execPath,
      '-e',
      script,
      services.host,
      String(services.redisPort),
      String(services.pgPort),
    ],
    { timeout: 20_000 },
  );
  return JSON.parse(stdout);
}

describe.skipIf(skipReason !== undefined)('a sweep across two hosts with no shared file system', () => {
  // Undone in reverse order in afterAll, whatever happened.
  const cleanups: { what: string; undo: () => Promise<unknown> }[] = [];
  const later = (what: string, undo: () => Promise<unknown>) => cleanups.push({ what, undo });

  beforeAll(async () => {
    const stale = await removeStaleNetworks();
    if (stale.length > 0) console.info(`multi-host: removed namespaces of dead runs: ${stale.join(', ')}`);
  });

  afterAll(async () => {
    const errors: unknown[] = [];
    for (const { what, undo } of cleanups.reverse()) {
      try {
        await undo();
      } catch (error) {
        errors.push(new Error(`cleanup: ${what}: ${String(error)}`));
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'multi-host cleanup failed');
  });

  it('completes on both; host A killed mid-trial, host B resumes the trial from its PostgreSQL checkpoint and retrains only the interrupted epoch', async () => {
    const started = Date.now();
    const db: TestDatabase = await createTestDatabase();
    later('drop the test database', () => db.drop());
    const network: HostNetwork = await createHostNetwork(['hosta', 'hostb']);
    later('remove the namespaces and the bridge', () => network.close());
    const [hostA, hostB] = network.hosts as [Host, Host];

    const svc = network.servicesAddress;
    const redisForwarder: TcpForwarder = await startTcpForwarder({
      listenHost: svc,
      target: { host: '127.0.0.1', port: 6379 },
    });
    later('close the Redis forwarder', () => redisForwarder.close());
    const pgForwarder: TcpForwarder = await startTcpForwarder({
      listenHost: svc,
      target: { host: '127.0.0.1', port: 5432 },
    });
    later('close the PostgreSQL forwarder', () => pgForwarder.close());

    // Each host reaches the services host, and only through its own network.
    for (const host of network.hosts) {
      const seen = await probeFromHost(host.exec, {
        host: svc,
        redisPort: redisForwarder.port,
        pgPort: pgForwarder.port,
      });
      expect(seen, `from ${host.label} (${host.address})`).toEqual({
        redis: '+PONG',
        postgres: expect.stringMatching(/^[NS]$/),
        loopbackRedis: 'ECONNREFUSED',
      });
    }

    const prefix = `satfarm-test-multihost-${process.pid}-${Date.now()}`;
    const localRedisUrl = 'redis://127.0.0.1:6379/0';
    const queues: FarmQueues = openFarmQueues({ redisUrl: localRedisUrl, prefix });
    later('obliterate and close the queues', async () => {
      await queues.obliterate().catch(() => {});
      await queues.close();
    });
    // The aggregator runs on the services host and uses loopback, as it would next to the databases.
    const aggregator: AggregatorHandle = await startAggregator({
      redisUrl: localRedisUrl,
      pool: db.pool,
      prefix,
      flushMs: 20,
      logger: silent,
    });
    later('stop the aggregator', () => aggregator.close());

    const remoteRedisUrl = `redis://${svc}:${redisForwarder.port}/0`;
    const remoteDbUrl = new URL(db.url);
    remoteDbUrl.hostname = svc;
    remoteDbUrl.port = String(pgForwarder.port);

    const workers: HostWorker[] = [];
    const checkpointDirs: string[] = [];
    for (const host of [hostA, hostB]) {
      const checkpointDir = await mkdtemp(join(tmpdir(), `satfarm-mh-${host.label}-`));
      checkpointDirs.push(checkpointDir);
      later(`remove ${checkpointDir}`, () => rm(checkpointDir, { recursive: true, force: true }));
      const worker = startHostWorker({
        id: host.label,
        host,
        redisUrl: remoteRedisUrl,
        databaseUrl: remoteDbUrl.toString(),
        prefix,
        checkpointStore: 'postgres',
        checkpointDir,
      });
      later(`kill worker ${host.label}`, async () => {
        try {
          process.kill(-worker.process.pid!, 'SIGKILL');
        } catch {}
        await worker.exited;
      });
      workers.push(worker);
    }
    const [workerA, workerB] = workers as [HostWorker, HostWorker];
    await Promise.all(
      workers.map((w) =>
        waitFor(`worker ${w.id} to be ready`, () => {
          if (w.done) throw new Error(`worker ${w.id} exited during start-up:\n${lastLogs(w)}`);
          return w.logs.some((l) => l.msg === 'worker ready') ? true : undefined;
        }),
      ),
    );
    const readyAt = Date.now();

    // ~1 s per epoch on one core of this machine: long enough that the kill lands mid-epoch.
    const spec = parseSweepSpec({
      name: 'multihost',
      dataset: { name: 'synthetic', trainLimit: 1024, testLimit: 64 },
      grid: {
        architecture: ['simple-cnn'],
        resolution: [16],
        seed: [1, 2, 3, 4],
        depth: [2],
        baseWidth: [8],
      },
      training: { epochs: EPOCHS, batchSize: 32, learningRate: 0.01 },
      retries: 2,
    });
    const { sweepId } = await createSweepFromSpec({ pool: db.pool, trialsQueue: queues.trials, spec });

    // Host A has completed a trial (the sweep runs on both) and is now inside another one, past its
    // first epoch: it has trained and checkpointed epochs 1..k and is training epoch k + 1.
    const victim = await waitFor(
      'host A to complete one trial and finish an epoch of the next',
      () => {
        if (workerA.done) throw new Error(`worker hosta exited:\n${lastLogs(workerA)}`);
        const doneOnA = new Set(
          workerA.logs.filter((l) => l.msg === 'trial done').map((l) => String(l.trialId)),
        );
        if (doneOnA.size === 0) return undefined;
        const current = workerA.logs.filter(
          (l) => l.msg === 'epoch done' && !doneOnA.has(String(l.trialId)) && Number(l.epoch) < EPOCHS,
        );
        const last = current.at(-1);
        return last === undefined ? undefined : { trialId: String(last.trialId), epoch: Number(last.epoch) };
      },
      60_000,
    );
    // Host A dies whole, as in a power cut: off the network first (the services host hears nothing
    // more from it, not even its connections closing), then every process in it killed.
    await hostA.unplug();
    await hostA.killAll();
    const killedAt = Date.now();
    expect(await workerA.exited).toMatchObject({ signal: 'SIGKILL' });
    expect(await hostA.pids()).toEqual([]);
    const k = victim.epoch;
    // What A left behind is in PostgreSQL: the checkpoint of its last epoch (A logs an epoch once it is
    // saved; killed between the save and the log, the checkpoint is one epoch further).
    const { rows: left } = await db.pool.query<{ epoch: number }>(
      'SELECT epoch FROM trial_checkpoints WHERE trial_id = $1',
      [victim.trialId],
    );
    expect(left, `host A's checkpoint of trial ${victim.trialId} in PostgreSQL`).toHaveLength(1);
    const storedEpoch = left[0]!.epoch;
    expect([k, k + 1]).toContain(storedEpoch);

    await waitFor(
      'the sweep to complete on host B',
      async () => {
        if (workerB.done) throw new Error(`worker hostb exited:\n${lastLogs(workerB)}`);
        return (await sweepStatus(db.pool, sweepId)).status === 'completed' ? true : undefined;
      },
      60_000,
    );
    const completedAt = Date.now();
    await waitFor('results to drain', async () =>
      (await queues.results.getJobCountByTypes('waiting', 'active', 'delayed')) === 0 ? true : undefined,
    );

    // Host B took the trial over and resumed it after the last epoch A had checkpointed.
    const takeover = workerB.logs.find((l) => l.msg === 'trial done' && l.trialId === victim.trialId);
    expect(takeover, `host B's logs:\n${lastLogs(workerB, 20)}`).toMatchObject({ status: 'completed' });
    // From here on every invariant is checked and reported, not only the first that breaks.
    const resumedFrom = Number(takeover!.resumedFrom);
    expect
      .soft(
        resumedFrom,
        `host B resumed trial ${victim.trialId} after epoch ${resumedFrom}; host A had checkpointed epoch ${storedEpoch} ` +
          '(0: B started over, not seeing the checkpoint)',
      )
      .toBe(storedEpoch);
    expect.soft(takeover!.trainedEpochs).toBe(EPOCHS - resumedFrom);
    const epochsOf = (w: HostWorker, trialId: string) =>
      w.logs.filter((l) => l.msg === 'epoch done' && l.trialId === trialId).map((l) => Number(l.epoch));
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    expect.soft(epochsOf(workerA, victim.trialId)).toEqual(range(1, k));
    expect.soft(epochsOf(workerB, victim.trialId)).toEqual(range(resumedFrom + 1, EPOCHS));
    const { logs: jobLogs } = await queues.trials.getJobLogs(victim.trialId);
    expect
      .soft(jobLogs.filter((l) => / on hostb\b.*resuming after epoch/.test(l)))
      .toEqual([expect.stringContaining(`resuming after epoch ${resumedFrom} from its checkpoint`)]);

    // Across both hosts every epoch of every trial was trained once; none twice.
    const trialIds = (
      await db.pool.query<{ id: string }>('SELECT id FROM trials WHERE sweep_id = $1 ORDER BY ordinal', [
        sweepId,
      ])
    ).rows.map((r) => r.id);
    expect(trialIds).toHaveLength(TRIALS);
    const trained = new Map<string, number>();
    for (const w of workers) {
      for (const l of w.logs.filter((r) => r.msg === 'epoch done')) {
        const key = `${String(l.trialId)}:${String(l.epoch)}`;
        trained.set(key, (trained.get(key) ?? 0) + 1);
      }
    }
    const allEpochs = trialIds.flatMap((id) => range(1, EPOCHS).map((e) => `${id}:${e}`));
    // (less the epoch A may have checkpointed in the instant of the kill: trained once, never logged)
    const expected = new Map(
      allEpochs
        .filter((key) => storedEpoch === k || key !== `${victim.trialId}:${k + 1}`)
        .map((key) => [key, 1]),
    );
    expect
      .soft(Object.fromEntries(trained), 'times each trial:epoch was trained, over both hosts')
      .toEqual(Object.fromEntries(expected));

    // In PostgreSQL: every trial completed, epochs 1..planned exactly once each, layer rows for each
    // epoch in both modes, nothing else; the sweep ran on both hosts.
    const { rows: trials } = await db.pool.query<{
      id: string;
      status: string;
      planned: number;
      attempts: number;
      host: string;
      epochs: number[];
    }>(
      `SELECT t.id, t.status, t.planned_epochs AS planned, t.attempts, split_part(t.worker, '/', 1) AS host,
              coalesce((SELECT array_agg(e.epoch ORDER BY e.epoch) FROM epoch_metrics e WHERE e.trial_id = t.id),
                       '{}') AS epochs
       FROM trials t WHERE t.sweep_id = $1 ORDER BY t.ordinal`,
      [sweepId],
    );
    for (const t of trials) {
      expect.soft(t, `trial ${t.id}`).toMatchObject({
        status: 'completed',
        planned: EPOCHS,
        epochs: range(1, EPOCHS),
      });
    }
    expect.soft(new Set(trials.map((t) => t.host))).toEqual(new Set(['hosta', 'hostb']));
    const victimRow = trials.find((t) => t.id === victim.trialId)!;
    expect.soft(victimRow).toMatchObject({ host: 'hostb', attempts: takeover!.attempt });
    const { rows: layerCounts } = await db.pool.query<{
      trial_id: string;
      epoch: number;
      modes: string[];
      n: number;
    }>(
      `SELECT l.trial_id, l.epoch, array_agg(DISTINCT l.mode ORDER BY l.mode) AS modes, count(*)::int AS n
       FROM layer_metrics l GROUP BY l.trial_id, l.epoch ORDER BY l.trial_id, l.epoch`,
    );
    const { rows: layerWidths } = await db.pool.query<{ trial_id: string; layers: number }>(
      'SELECT trial_id, count(DISTINCT layer_index)::int AS layers FROM layer_metrics GROUP BY trial_id',
    );
    const layersOf = new Map(layerWidths.map((r) => [r.trial_id, r.layers]));
    expect.soft(layerCounts.map((r) => `${r.trial_id}:${r.epoch}`).sort()).toEqual([...allEpochs].sort());
    for (const r of layerCounts) {
      expect.soft(layersOf.get(r.trial_id)).toBeGreaterThan(0);
      expect.soft(r, `${r.trial_id}:${r.epoch}`).toMatchObject({
        modes: ['eval', 'train'],
        n: layersOf.get(r.trial_id)! * 2,
      });
    }
    const { rows: strays } = await db.pool.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM epoch_metrics e LEFT JOIN trials t ON t.id = e.trial_id
               WHERE t.id IS NULL OR t.sweep_id <> $1 OR e.epoch NOT BETWEEN 1 AND t.planned_epochs)::int AS n`,
      [sweepId],
    );
    expect.soft(strays[0]!.n).toBe(0);

    // Both hosts came through the network, each from its own address.
    for (const forwarder of [redisForwarder, pgForwarder]) {
      expect.soft(new Set(forwarder.peers.keys())).toEqual(new Set([hostA.address, hostB.address]));
    }

    // Checkpoints of completed trials are gone from PostgreSQL.
    expect.soft((await db.pool.query('SELECT trial_id, epoch FROM trial_checkpoints')).rows).toEqual([]);
    // No host wrote a checkpoint file: what B resumed from can only have come from PostgreSQL.
    for (const dir of checkpointDirs) {
      expect.soft(await readdir(dir, { recursive: true }), dir).toEqual([]);
    }

    console.info(
      `multi-host: ${TRIALS} trials × ${EPOCHS} epochs on hosta ${hostA.address} and hostb ${hostB.address} ` +
        `(services ${svc}); hosta killed during epoch ${k + 1} of trial ${victim.trialId.slice(0, 8)}; ` +
        `hostb resumed after epoch ${resumedFrom}; sweep completed ${((completedAt - killedAt) / 1000).toFixed(1)} s ` +
        `after the kill; workers ready in ${((readyAt - started) / 1000).toFixed(1)} s, ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s in all`,
    );
  });
});
