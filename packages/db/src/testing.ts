import pg from 'pg';
import type { Pool } from 'pg';
import { createPool } from './connection.ts';
import { connectOnce, splitDatabaseUrl } from './ensure-database.ts';
import { migrate, schemaFingerprint } from './migrate.ts';

// Test fixtures, exported as `@satfarm/db/testing` only (never from the production entry).
export {
  insertSampleSweep,
  SAMPLE_EPOCHS,
  SAMPLE_LAYERS,
  SAMPLE_RESOLUTIONS,
  SAMPLE_SEEDS,
  type SampleSweep,
  sampleAccuracy,
  sampleEpoch,
  sampleSaturation,
} from './sample-sweep.ts';
export { insertSampleSearch } from './sample-search.ts';

export interface TestDatabase {
  /** URL of the new database (no password was added; the base URL's credentials are reused). */
  url: string;
  name: string;
  pool: Pool;
  /** Closes the pool, then drops the database (terminating any connection still open). */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** An empty database instead of a migrated copy (for testing migrations themselves). */
  empty?: boolean;
}

const DEFAULT_BASE_URL = 'postgres://127.0.0.1:5432/postgres';
const TEMPLATE_PREFIX = 'satfarm_template_';
// Session advisory lock on the admin database: exclusive to build the template, shared to copy it.
const TEMPLATE_LOCK_KEY = '7305104519430113';

let templateReady: Promise<string> | undefined;
let counter = 0;

/**
 * A fresh database for one test: `CREATE DATABASE … TEMPLATE` a migrated template (built once per
 * schema version, named by the migrations' fingerprint, shared by test processes). Always `drop()` it.
 */
export async function createTestDatabase(
  baseUrl: string = DEFAULT_BASE_URL,
  options: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  const { adminUrl } = splitDatabaseUrl(baseUrl);
  const template = options.empty ? undefined : await sharedTemplate(adminUrl);
  counter += 1;
  const name = `satfarm_test_${process.pid}_${counter}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = await connectOnce(adminUrl);
  try {
    if (template === undefined) {
      await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    } else {
      await admin.query('SELECT pg_advisory_lock_shared($1::bigint)', [TEMPLATE_LOCK_KEY]);
      try {
        await admin.query(
          `CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE ${pg.escapeIdentifier(template)}`,
        );
      } finally {
        await admin.query('SELECT pg_advisory_unlock_shared($1::bigint)', [TEMPLATE_LOCK_KEY]);
      }
    }
  } finally {
    await admin.end();
  }
  const url = withDatabase(baseUrl, name);
  const pool = createPool(url, { max: 5, applicationName: 'satfarm-test' });
  let dropped = false;
  return {
    url,
    name,
    pool,
    async drop() {
      if (dropped) return;
      dropped = true;
      await pool.end();
      const client = await connectOnce(adminUrl);
      try {
        await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** The template database, built once per process (a failed build is retried by the next call). */
function sharedTemplate(adminUrl: string): Promise<string> {
  if (templateReady === undefined) {
    templateReady = buildTemplate(adminUrl);
    templateReady.catch(() => {
      templateReady = undefined;
    });
  }
  return templateReady;
}

/**
 * Creates and migrates the template for the current migrations unless it exists, and drops templates
 * of older schemas. Marked IS_TEMPLATE only once fully migrated, so a crash halfway is redone.
 */
async function buildTemplate(adminUrl: string): Promise<string> {
  const template = `${TEMPLATE_PREFIX}${schemaFingerprint().slice(0, 16)}`;
  const admin = await connectOnce(adminUrl);
  try {
    await admin.query('SELECT pg_advisory_lock($1::bigint)', [TEMPLATE_LOCK_KEY]);
    try {
      const found = await admin.query<{ datistemplate: boolean }>(
        'SELECT datistemplate FROM pg_database WHERE datname = $1',
        [template],
      );
      if (found.rows[0]?.datistemplate === true) return template;
      if (found.rows[0] === undefined) await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(template)}`);
      const pool = createPool(withDatabase(adminUrl, template), {
        max: 1,
        applicationName: 'satfarm-test-template',
      });
      try {
        await migrate(pool);
      } finally {
        await pool.end();
      }
      await admin.query(`ALTER DATABASE ${pg.escapeIdentifier(template)} IS_TEMPLATE true`);
      const stale = await admin.query<{ datname: string }>(
        'SELECT datname FROM pg_database WHERE starts_with(datname, $1) AND datname <> $2',
        [TEMPLATE_PREFIX, template],
      );
      for (const { datname } of stale.rows) {
        // Best effort: another checkout may be copying it right now; it is only a cache.
        await admin
          .query(`ALTER DATABASE ${pg.escapeIdentifier(datname)} IS_TEMPLATE false`)
          .then(() => admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)}`))
          .catch(() => {});
      }
      return template;
    } finally {
      await admin.query('SELECT pg_advisory_unlock($1::bigint)', [TEMPLATE_LOCK_KEY]);
    }
  } finally {
    await admin.end();
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}
