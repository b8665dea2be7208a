import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandSweep, sweepIdFor, trialIdFor } from '@satfarm/contracts';
import { createTestDatabase, type TestDatabase } from '@satfarm/db/testing';
import {
  AmbiguousIdError,
  createSweep,
  findSweep,
  findTrial,
  ingestEvents,
  InvalidTrialsError,
  markSweepCancelled,
  markTrialsQueued,
  NotFoundError,
  sweepStatus,
  unfinishedTrials,
} from '@satfarm/db';
import { completed, finished, smallSpec, started } from './fixtures.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

async function count(table: 'sweeps' | 'trials'): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0]!.n;
}

describe('createSweep', () => {
  it('writes the sweep and its trials once; the same spec again creates nothing', async () => {
    const spec = smallSpec({ name: 'create-twice' });
    const before = { sweeps: await count('sweeps'), trials: await count('trials') };
    const first = await createSweep(db.pool, spec);
    expect(first.created).toBe(true);
    expect(first.sweepId).toBe(sweepIdFor(spec));
    expect(first.trialIds).toHaveLength(4);
    expect(first.newTrialIds).toEqual(first.trialIds);

    const again = await createSweep(db.pool, smallSpec({ name: 'create-twice' }));
    expect(again).toEqual({ ...first, created: false, newTrialIds: [] });
    expect(await count('sweeps')).toBe(before.sweeps + 1);
    expect(await count('trials')).toBe(before.trials + 4);

    const { rows } = await db.pool.query<{
      id: string;
      ordinal: number;
      resolution: number;
      variant: string;
    }>('SELECT id, ordinal, resolution, variant FROM trials WHERE sweep_id = $1 ORDER BY ordinal', [
      first.sweepId,
    ]);
    expect(rows.map((r) => r.id)).toEqual(first.trialIds);
    expect(rows.map((r) => r.resolution)).toEqual([14, 14, 28, 28]);
    expect(rows[0]!.variant).toBe('widthMultiplier=1');
  });

  it('refuses trials whose ids do not match their configs, writing nothing', async () => {
    const spec = smallSpec({ name: 'bad-ids' });
    const sweepId = sweepIdFor(spec);
    const configs = expandSweep(spec);
    const trials = configs.map((config) => ({ id: trialIdFor(sweepId, config), config }));
    trials[1] = { id: trials[0]!.id, config: configs[1]! };
    const before = await count('sweeps');
    await expect(createSweep(db.pool, spec, trials)).rejects.toThrow(InvalidTrialsError);
    expect(await count('sweeps')).toBe(before);
  });

  it('stores names with quotes, semicolons and comment markers verbatim', async () => {
    const name = `it's; DROP TABLE trials; -- "x" \\ $1`;
    const { sweepId } = await createSweep(db.pool, smallSpec({ name }));
    const found = await findSweep(db.pool, name);
    expect(found.id).toBe(sweepId);
    expect(found.name).toBe(name);
    expect(found.spec.name).toBe(name);
    expect(await count('trials')).toBeGreaterThan(0);
  });
});

describe('findSweep', () => {
  it('finds by id, unique prefix and unique name', async () => {
    const { sweepId } = await createSweep(db.pool, smallSpec({ name: 'find-me', retries: 1 }));
    expect((await findSweep(db.pool, sweepId)).id).toBe(sweepId);
    expect((await findSweep(db.pool, sweepId.slice(0, 12))).id).toBe(sweepId);
    expect((await findSweep(db.pool, 'find-me')).id).toBe(sweepId);
  });

  it('refuses a name two sweeps share, listing both (id, name, created time); the full id still works', async () => {
    const older = await createSweep(db.pool, smallSpec({ name: 'twice-named', retries: 1 }));
    const newer = await createSweep(db.pool, smallSpec({ name: 'twice-named', retries: 2 }));
    const error = await findSweep(db.pool, 'twice-named').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmbiguousIdError);
    const ambiguous = error as AmbiguousIdError;
    expect(ambiguous.candidates.map((c) => c.id)).toEqual([newer.sweepId, older.sweepId]);
    expect(ambiguous.message).toMatch(
      new RegExp(
        `^"twice-named" is ambiguous: 2 sweeps match it by name or id prefix \\(${newer.sweepId} "twice-named", ` +
          `created \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z; ${older.sweepId} "twice-named", created .*\\); give the full sweep id$`,
      ),
    );
    expect((await findSweep(db.pool, older.sweepId)).id).toBe(older.sweepId);
    expect((await findSweep(db.pool, newer.sweepId)).id).toBe(newer.sweepId);
  });

  it('refuses a name that is also the start of another sweep id; an exact id beats a sweep named like it', async () => {
    const target = await createSweep(db.pool, smallSpec({ name: 'the-target' }));
    const prefix = target.sweepId.slice(0, 6);
    const shadow = await createSweep(db.pool, smallSpec({ name: prefix }));
    const error = await findSweep(db.pool, prefix).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmbiguousIdError);
    expect((error as AmbiguousIdError).candidates.map((c) => c.id).sort()).toEqual(
      [target.sweepId, shadow.sweepId].sort(),
    );
    const impostor = await createSweep(db.pool, smallSpec({ name: target.sweepId }));
    expect((await findSweep(db.pool, target.sweepId)).id).toBe(target.sweepId);
    expect((await findSweep(db.pool, impostor.sweepId)).name).toBe(target.sweepId);
  });

  it('explains what it accepts when nothing matches', async () => {
    const error = await findSweep(db.pool, 'no-such-sweep').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toMatch(/"no-such-sweep".*sweep id.*prefix.*name.*recent sweeps: /);
  });

  it('refuses a prefix shared by several sweeps, and prefixes under 4 characters', async () => {
    await db.pool.query(
      `INSERT INTO sweeps (id, name, spec, trial_count) VALUES ($1, 'twin-a', '{}', 0), ($2, 'twin-b', '{}', 0)`,
      ['abcd0000000000000000000000000001', 'abcd0000000000000000000000000002'],
    );
    const error = await findSweep(db.pool, 'abcd00').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmbiguousIdError);
    expect((error as Error).message).toMatch(/2 sweeps match it .*twin-.*twin-/);
    expect((await findSweep(db.pool, 'abcd0000000000000000000000000002')).name).toBe('twin-b');
    await expect(findSweep(db.pool, 'abc')).rejects.toThrow(NotFoundError);
  });
});

describe('findTrial', () => {
  it('refuses a prefix several trials share, listing each with its sweep and its creation time', async () => {
    await db.pool.query(
      `INSERT INTO sweeps (id, name, spec, trial_count, created_at)
       VALUES ('fedc0000000000000000000000000000', 'trial-twins', '{}', 2, '2026-05-01T08:00:00Z')`,
    );
    await db.pool.query(
      `INSERT INTO trials (id, sweep_id, ordinal, config, architecture, variant, resolution, seed, width_multiplier, planned_epochs)
       SELECT id, 'fedc0000000000000000000000000000', n, '{}', 'simple-cnn', 'widthMultiplier=1', 16, n, 1, 1
       FROM (VALUES ('fedcba00000000000000000000000001', 1), ('fedcba00000000000000000000000002', 2)) AS t(id, n)`,
    );
    const error = await findTrial(db.pool, 'fedcba').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmbiguousIdError);
    expect((error as Error).message).toBe(
      '"fedcba" is ambiguous: 2 trials match it by id prefix (' +
        'fedcba00000000000000000000000001 (simple-cnn at 16 px, seed 1, of sweep "trial-twins"), created 2026-05-01T08:00:00Z; ' +
        'fedcba00000000000000000000000002 (simple-cnn at 16 px, seed 2, of sweep "trial-twins"), created 2026-05-01T08:00:00Z); ' +
        'give the full trial id',
    );
    expect((await findTrial(db.pool, 'fedcba00000000000000000000000002')).seed).toBe(2);
  });
});

describe('sweep lifecycle', () => {
  it('counts, cancels and requeues trials', async () => {
    const { sweepId, trialIds } = await createSweep(db.pool, smallSpec({ name: 'lifecycle' }));
    const [a, b, c] = trialIds as [string, string, string, string];
    await ingestEvents(db.pool, [
      started(sweepId, a),
      completed(sweepId, a),
      started(sweepId, b),
      started(sweepId, c),
    ]);
    await ingestEvents(db.pool, [finished(sweepId, c, 'failed', 1, 'out of memory')]);

    const status = await sweepStatus(db.pool, sweepId);
    expect(status.counts).toEqual({
      queued: 1,
      running: 1,
      paused: 0,
      completed: 1,
      pruned: 0,
      failed: 1,
      diverged: 0,
      cancelled: 0,
    });
    expect(status.done).toBe(false);
    expect(status.epochsExpected).toBe(8);

    const cancelled = await markSweepCancelled(db.pool, sweepId);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.cancelledTrialIds.sort()).toEqual([b, trialIds[3]!].sort());
    expect((await sweepStatus(db.pool, sweepId)).done).toBe(true);

    const unfinished = await unfinishedTrials(db.pool, sweepId);
    expect(unfinished.map((t) => t.id)).toEqual([b, c, trialIds[3]]);
    expect(unfinished[0]!.config.architecture).toBe('simple-cnn');
    expect(unfinished[0]!.attempts).toBe(1);

    const requeued = await markTrialsQueued(db.pool, trialIds);
    expect(requeued.sort()).toEqual([b, c, trialIds[3]!].sort());
    const after = await sweepStatus(db.pool, sweepId);
    expect(after.status).toBe('running');
    expect(after.counts).toMatchObject({ queued: 3, completed: 1 });
  });

  it('leaves a completed sweep completed when cancelled', async () => {
    const { sweepId, trialIds } = await createSweep(
      db.pool,
      smallSpec({ name: 'done-then-cancel', grid: { architecture: ['vgg11'], resolution: [32] } }),
    );
    await ingestEvents(db.pool, [started(sweepId, trialIds[0]!), completed(sweepId, trialIds[0]!)]);
    expect(await markSweepCancelled(db.pool, sweepId)).toEqual({
      status: 'completed',
      cancelledTrialIds: [],
      cancelledTrials: [],
    });
    await expect(markSweepCancelled(db.pool, '0'.repeat(32))).rejects.toThrow(NotFoundError);
  });
});
