import type { Pool } from 'pg';
import { stableHash } from '@satfarm/contracts';
import { withClient } from './connection.ts';
import { MIGRATIONS } from './migrations/list.ts';
import type { Migration } from './migrations/migration.ts';
import { ensureSqlReader, SQL_READER_SETUP_VERSION, type SqlReaderSetup } from './sql-reader.ts';

/** Advisory lock key shared by every satfarm process that migrates (an arbitrary constant). */
const MIGRATION_LOCK_KEY = '7305104519430112';

export class MigrationOrderError extends Error {
  override name = 'MigrationOrderError';
}

export interface MigrateResult {
  /** Versions applied by this call (empty when the schema was up to date). */
  applied: number[];
  /** Highest version now recorded in schema_migrations. */
  current: number;
  /** Whether the read-only role `satfarm sql` runs as is in place (and why not). */
  sqlReader: SqlReaderSetup;
}

/**
 * Applies pending migrations in one transaction under a transaction-scoped advisory lock, so
 * concurrent callers (several workers starting at once) wait for each other and then find nothing to do.
 * Then, in the same transaction, makes sure of the read-only role `satfarm sql` runs as.
 */
export async function migrate(
  pool: Pool,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrateResult> {
  checkOrder(migrations);
  return withClient(pool, async (client) => {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const done = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const have = new Set(done.rows.map((row) => row.version));
      const applied: number[] = [];
      for (const migration of migrations) {
        if (have.has(migration.version)) continue;
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
          migration.version,
          migration.name,
        ]);
        applied.push(migration.version);
      }
      // Every time, not once as a migration: grants cover tables added since, and a restored
      // database on a new server finds its role missing.
      const sqlReader = await ensureSqlReader(client);
      await client.query('COMMIT');
      const current = Math.max(0, ...have, ...applied);
      return { applied, current, sqlReader };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  });
}

/** Hash of every migration's SQL and the reader setup: names a template database that matches this code. */
export function schemaFingerprint(migrations: readonly Migration[] = MIGRATIONS): string {
  return stableHash({
    migrations: migrations.map((m) => ({ version: m.version, name: m.name, sql: m.sql })),
    sqlReader: SQL_READER_SETUP_VERSION,
  });
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new MigrationOrderError(
        `migration ${JSON.stringify(migration.name)} has version ${migration.version}; expected ${index + 1} (versions run 1, 2, 3… in list order)`,
      );
    }
  });
}
