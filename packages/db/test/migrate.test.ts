import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@satfarm/db/testing';
import {
  createPool,
  DatabaseUnreachableError,
  ensureDatabase,
  MIGRATIONS,
  migrate,
  withClient,
} from '@satfarm/db';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function emptyDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase(undefined, { empty: true });
  cleanups.push(() => db.drop());
  return db;
}

async function tableNames(db: TestDatabase): Promise<string[]> {
  const { rows } = await db.pool.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

describe('migrate', () => {
  it('applies every migration once and is a no-op the second time', async () => {
    const db = await emptyDatabase();
    const first = await migrate(db.pool);
    expect(first.applied).toEqual(MIGRATIONS.map((m) => m.version));
    const second = await migrate(db.pool);
    expect(second).toEqual({
      applied: [],
      current: MIGRATIONS.length,
      sqlReader: { ready: true, created: false },
    });
    expect(await tableNames(db)).toEqual([
      'epoch_metrics',
      'layer_metrics',
      'layer_resolution_summary',
      'projection_metrics',
      'projection_results',
      'projection_results_summary',
      'projection_summary',
      'recommended_resolution',
      'resolution_summary',
      'resolution_tail',
      'schema_migrations',
      'search_decisions',
      'search_rungs',
      'sweeps',
      'trial_checkpoints',
      'trial_summary',
      'trials',
    ]);
  });

  it('gives satfarm sql a login that may read the results and nothing private', async () => {
    const db = await emptyDatabase();
    const result = await migrate(db.pool);
    expect(result.sqlReader.ready).toBe(true);
    const { rows } = await db.pool.query<{
      role: string;
      superuser: boolean;
      trials: boolean;
      secret: boolean;
    }>(
      `SELECT r.rolname AS role, r.rolsuper AS superuser,
              has_table_privilege(r.rolname, 'trials', 'SELECT') AS trials,
              has_schema_privilege(r.rolname, 'satfarm_private', 'USAGE') AS secret
       FROM pg_roles r JOIN satfarm_private.sql_reader s ON s.role = r.rolname`,
    );
    expect(rows).toEqual([{ role: 'satfarm_sql', superuser: false, trials: true, secret: false }]);
  });

  it('is safe when two processes migrate at the same time', async () => {
    const db = await emptyDatabase();
    const other = createPool(db.url, { max: 1 });
    cleanups.push(() => other.end());
    const results = await Promise.all([migrate(db.pool), migrate(other), migrate(db.pool)]);
    const applied = results.map((r) => r.applied.length).sort();
    expect(applied).toEqual([0, 0, MIGRATIONS.length]);
    const { rows } = await db.pool.query<{ version: number }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('rolls a failing migration back completely', async () => {
    const db = await emptyDatabase();
    const broken = [
      ...MIGRATIONS,
      { version: MIGRATIONS.length + 1, name: 'broken', sql: 'CREATE TABLE x (); SELECT 1/0' },
    ];
    await expect(migrate(db.pool, broken)).rejects.toThrow(/division by zero/);
    expect(await tableNames(db)).toEqual([]);
  });
});

describe('ensureDatabase', () => {
  it('creates a missing database once', async () => {
    const probe = await emptyDatabase();
    const url = probe.url.replace(probe.name, `${probe.name}_ensured`);
    cleanups.push(async () => {
      await withClient(probe.pool, (c) =>
        c.query(`DROP DATABASE IF EXISTS "${probe.name}_ensured" WITH (FORCE)`),
      );
    });
    const results = await Promise.all([ensureDatabase(url), ensureDatabase(url)]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await ensureDatabase(url)).toEqual({ database: `${probe.name}_ensured`, created: false });
    const pool = createPool(url, { max: 1 });
    cleanups.push(() => pool.end());
    expect((await migrate(pool)).applied).toHaveLength(MIGRATIONS.length);
  });
});

describe('connection errors', () => {
  it('names the URL without its password and says how to start PostgreSQL', async () => {
    const pool = createPool('postgres://alice:hunter2@127.0.0.1:1/satfarm', { max: 1 });
    cleanups.push(() => pool.end());
    const error = await withClient(pool, async () => 'connected').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnreachableError);
    const message = (error as Error).message;
    expect(message).not.toContain('hunter2');
    expect(message).toContain('postgres://alice:***@127.0.0.1:1/satfarm');
    expect(message).toMatch(/ensure-services|docker compose/);
    await expect(ensureDatabase('postgres://alice:hunter2@127.0.0.1:1/satfarm')).rejects.toThrow(
      /^(?!.*hunter2).*alice:\*\*\*@/s,
    );
  });

  it('tells the user to run `satfarm db migrate` when the database is missing', async () => {
    const pool = createPool('postgres://127.0.0.1:5432/satfarm_no_such_database_x', { max: 1 });
    cleanups.push(() => pool.end());
    await expect(withClient(pool, async () => 1)).rejects.toThrow(/does not exist.*satfarm db migrate/);
  });
});
