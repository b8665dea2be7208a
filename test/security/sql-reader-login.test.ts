/**
 * `satfarm sql` on a server that checks passwords (SCRAM), as docker-compose's PostgreSQL does: the
 * reader role gets a password `db migrate` stores, the stored verifier really logs in, and a password
 * changed behind satfarm's back (by hand, or by migrating a second database of the same server) is
 * rotated, not a dead end. No message shows a password.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { satfarm } from '../bad-input/satfarm-cli.ts';
import {
  type PrivatePostgres,
  privatePostgresUnavailable,
  startPrivatePostgres,
} from '../support/private-postgres.ts';

const ADMIN_PASSWORD = 'adm1n-s3cret';
const unavailable = privatePostgresUnavailable();
if (unavailable !== undefined) console.warn(`skipping the password-auth sql tests: ${unavailable}`);

let server: PrivatePostgres;

beforeAll(async () => {
  server = await startPrivatePostgres(ADMIN_PASSWORD);
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

const sqlAs = (database: string, statement: string) =>
  satfarm(['sql', statement, '--json'], { DATABASE_URL: server.url(database) });

async function asAdmin(database: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: server.url(database) });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

describe.skipIf(unavailable !== undefined)('satfarm sql with password authentication', () => {
  it('logs in as satfarm_sql with the password db migrate stored', async () => {
    const migrated = await satfarm(['db', 'migrate'], { DATABASE_URL: server.url('one') });
    expect(migrated.stderr).toBe('');
    const run = await sqlAs('one', 'SELECT session_user, count(*) FROM sweeps GROUP BY 1');
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ columns: ['session_user', 'count'], rows: [] });
    const who = await sqlAs('one', 'SELECT session_user');
    expect(JSON.parse(who.stdout).rows).toEqual([['satfarm_sql']]);
  });

  it('takes the role back when its password was changed by hand', async () => {
    await asAdmin('one', "ALTER ROLE satfarm_sql PASSWORD 'changed-behind-our-back'");
    const run = await sqlAs('one', 'SELECT session_user');
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout).rows).toEqual([['satfarm_sql']]);
  });

  it('serves two databases of one server, each migrated separately', async () => {
    const second = await satfarm(['db', 'migrate'], { DATABASE_URL: server.url('two') });
    expect(second.stderr).toBe('');
    for (const database of ['two', 'one', 'two']) {
      const run = await sqlAs(database, 'SELECT current_database()');
      expect(run.stderr).toBe('');
      expect(JSON.parse(run.stdout).rows).toEqual([[database]]);
    }
  });

  it('keeps the reader password out of the statement log (a SCRAM verifier is sent)', async () => {
    const client = new pg.Client({ connectionString: server.url('one') });
    await client.connect();
    try {
      const stored = await client.query<{ password: string; verifier: string }>(
        `SELECT s.password, a.rolpassword AS verifier
         FROM satfarm_private.sql_reader s, pg_authid a WHERE a.rolname = s.role`,
      );
      const row = stored.rows[0]!;
      expect(row.verifier).toMatch(/^SCRAM-SHA-256\$4096:/);
      expect(row.verifier).not.toContain(row.password);
    } finally {
      await client.end();
    }
  });

  it('says which login failed, without the password, when DATABASE_URL is wrong', async () => {
    const wrong = server.url('one').replace(encodeURIComponent(ADMIN_PASSWORD), 'not-the-password');
    const run = await satfarm(['sql', 'SELECT 1'], { DATABASE_URL: wrong });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/password authentication failed for user "admin"/);
    expect(run.stderr).not.toContain('not-the-password');
    expect(run.stderr).not.toContain(ADMIN_PASSWORD);
  });
});
