import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Client, ClientBase, Pool } from 'pg';
import { connect } from './connection.ts';
import { connectOnce } from './ensure-database.ts';
import { SqlReaderUnavailableError } from './errors.ts';
import { redactUrl } from './redact-url.ts';
import { scramSha256Verifier } from './scram-verifier.ts';

/**
 * The role `satfarm sql` runs users' statements as. A read-only transaction and a keyword check are
 * not a boundary on a superuser's connection: a statement that slips past them can `RESET ROLE` and
 * run programs on the server. A separate login that can never become a superuser is.
 */
export const SQL_READER_ROLE = 'satfarm_sql';

/** Bump when `ensureSqlReader` changes what it sets up: migrated test templates are cached by it. */
export const SQL_READER_SETUP_VERSION = 1;

/** Roles whose members can reach the server's files, programs or password hashes, or make such roles. */
const PRIVILEGED_ROLE_SQL = /* sql */ `
  SELECT r.rolname
  FROM pg_roles r
  WHERE pg_has_role($1::name, r.oid, 'MEMBER')
    AND (r.rolsuper OR r.rolcreaterole OR r.rolbypassrls OR r.rolreplication
         OR r.rolname IN ('pg_execute_server_program', 'pg_read_server_files', 'pg_write_server_files',
                          'pg_read_all_data', 'pg_write_all_data'))
  ORDER BY r.rolname`;

export type SqlReaderSetup = { ready: true; created: boolean } | { ready: false; reason: string };

/**
 * Creates the reader role when missing, grants it SELECT on satfarm's tables and views in this
 * database (nothing in `satfarm_private`), and stores a working password for it. Runs inside the
 * caller's transaction (migrate's, under its lock); a migrating role that may not create roles gets
 * `ready: false` and the transaction is left usable.
 */
export async function ensureSqlReader(client: ClientBase): Promise<SqlReaderSetup> {
  const role = pg.escapeIdentifier(SQL_READER_ROLE);
  const existing = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [SQL_READER_ROLE]);
  let created = false;
  let password: string | undefined;
  if (existing.rows.length === 0) {
    password = newPassword();
    await client.query('SAVEPOINT create_sql_reader');
    try {
      await client.query(
        `CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS PASSWORD ${pg.escapeLiteral(scramSha256Verifier(password))}`,
      );
      created = true;
    } catch (error) {
      await client.query('ROLLBACK TO SAVEPOINT create_sql_reader');
      const code = (error as { code?: unknown }).code;
      // 42710/23505: another migrate (of another database) created it first; use theirs.
      if (code !== '42710' && code !== '23505') return notReady(error);
      password = undefined;
    }
    await client.query('RELEASE SAVEPOINT create_sql_reader');
  }
  const privileged = await privilegedRolesOf(client, SQL_READER_ROLE);
  if (privileged.length > 0) {
    return {
      ready: false,
      reason: `role ${SQL_READER_ROLE} exists but is a member of ${privileged.join(', ')}; drop it (it is recreated by \`satfarm db migrate\`) or revoke that`,
    };
  }
  await client.query('SAVEPOINT grant_sql_reader');
  try {
    const database = await client.query<{ name: string }>('SELECT current_database() AS name');
    const name = pg.escapeIdentifier(database.rows[0]!.name);
    // Belt and braces: every session of the role starts read-only even without satfarm's BEGIN READ ONLY.
    // Only when missing: concurrent ALTER ROLEs from two databases' migrates collide on the catalog row.
    const readOnly = await client.query(
      `SELECT 1 FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
       WHERE r.rolname = $1 AND s.setdatabase = 0 AND 'default_transaction_read_only=on' = ANY (s.setconfig)`,
      [SQL_READER_ROLE],
    );
    if (readOnly.rows.length === 0) {
      await client.query(`ALTER ROLE ${role} SET default_transaction_read_only = on`);
    }
    await client.query(`GRANT CONNECT ON DATABASE ${name} TO ${role}`);
    await client.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await client.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
    await client.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ${role}`);
    const stored = await client.query('SELECT 1 FROM satfarm_private.sql_reader WHERE role = $1', [
      SQL_READER_ROLE,
    ]);
    if (password === undefined && stored.rows.length === 0) {
      // The role came from another database of this server; its password is not known here.
      password = newPassword();
      await setPassword(client, password);
    }
    if (password !== undefined) await storePassword(client, password);
  } catch (error) {
    await client.query('ROLLBACK TO SAVEPOINT grant_sql_reader');
    return notReady(error);
  }
  await client.query('RELEASE SAVEPOINT grant_sql_reader');
  return { ready: true, created };
}

/** Names of the privileged roles `role` is (or is a member of); empty for a safe reader. */
export async function privilegedRolesOf(client: ClientBase, role: string): Promise<string[]> {
  const result = await client.query<{ rolname: string }>(PRIVILEGED_ROLE_SQL, [role]);
  return result.rows.map((row) => row.rolname);
}

export interface ReaderLoginOptions {
  /** Log in with this URL instead of the stored reader login (DATABASE_READER_URL). */
  readerUrl?: string | undefined;
}

/**
 * A connection that logs in as a role that cannot become a superuser: the reader URL when given,
 * otherwise `satfarm_sql` with the password stored by `db migrate` (read over `adminPool`, and rotated
 * when it no longer works, e.g. after another database of the same server was migrated). Whatever the
 * login, the session is checked and refused when it could escalate.
 */
export async function connectAsReader(
  databaseUrl: string,
  adminPool: Pool,
  options: ReaderLoginOptions = {},
): Promise<Client> {
  if (options.readerUrl !== undefined) return verified(await open(options.readerUrl), options.readerUrl);
  let url = readerUrl(databaseUrl, await storedPassword(adminPool));
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await verified(await open(url), url);
    } catch (error) {
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      // 28P01: wrong password. Another database's migrate set a new one; take the role back. Two
      // databases rotating at the same moment can each undo the other once, hence a few tries.
      if (code !== '28P01' || attempt === 3) throw error;
      url = readerUrl(databaseUrl, await rotatePassword(adminPool).catch(retryOnce(adminPool)));
    }
  }
}

async function open(url: string): Promise<Client> {
  try {
    return await connectOnce(url);
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    if ((cause as { code?: unknown } | undefined)?.code !== '28000') throw error;
    throw new SqlReaderUnavailableError(
      `PostgreSQL does not let role ${JSON.stringify(new URL(url).username)} log in (${(cause as Error).message}); allow it in pg_hba.conf like DATABASE_URL's user, or set DATABASE_READER_URL to a read-only role's URL`,
      { cause },
    );
  }
}

async function verified(client: Client, url: string): Promise<Client> {
  try {
    const session = await client.query<{ user: string }>('SELECT session_user AS user');
    const user = session.rows[0]!.user;
    const privileged = await privilegedRolesOf(client, user);
    if (privileged.length > 0) {
      throw new SqlReaderUnavailableError(
        `refusing to run statements as ${JSON.stringify(user)} (${redactUrl(url)}): it is or can become ${privileged.join(', ')}, which reach the server's files and programs; use a role that may only SELECT (\`satfarm db migrate\` creates ${SQL_READER_ROLE})`,
      );
    }
    return client;
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}

async function storedPassword(adminPool: Pool): Promise<string> {
  const client = await connect(adminPool);
  try {
    const result = await client.query<{ password: string }>(
      'SELECT password FROM satfarm_private.sql_reader WHERE role = $1',
      [SQL_READER_ROLE],
    );
    const password = result.rows[0]?.password;
    if (password === undefined) throw missingReader();
    return password;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === '42P01' || code === '3F000') throw missingReader(error);
    if (code === '42501') {
      throw new SqlReaderUnavailableError(
        `DATABASE_URL's user may not read ${SQL_READER_ROLE}'s login (it is kept for the role that migrates the schema); set DATABASE_READER_URL to a read-only role's URL, or use the owner's DATABASE_URL`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    client.release();
  }
}

async function rotatePassword(adminPool: Pool): Promise<string> {
  const client = await connect(adminPool);
  try {
    await client.query('BEGIN');
    // One rotation at a time per database: the row lock orders concurrent `satfarm sql` calls.
    await client.query('SELECT 1 FROM satfarm_private.sql_reader WHERE role = $1 FOR UPDATE', [
      SQL_READER_ROLE,
    ]);
    const password = newPassword();
    await setPassword(client, password);
    await storePassword(client, password);
    await client.query('COMMIT');
    return password;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    if ((error as { code?: unknown }).code === '42501') {
      throw new SqlReaderUnavailableError(
        `the password of ${SQL_READER_ROLE} no longer works and DATABASE_URL's user may not reset it; run \`satfarm db migrate\` as the schema's owner`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    client.release();
  }
}

/** A rotation that met another database's at the same catalog row ("tuple concurrently updated") goes again. */
function retryOnce(adminPool: Pool): (error: unknown) => Promise<string> {
  return (error) => {
    if ((error as { code?: unknown }).code !== 'XX000') throw error;
    return rotatePassword(adminPool);
  };
}

async function setPassword(client: ClientBase, password: string): Promise<void> {
  await client.query(
    `ALTER ROLE ${pg.escapeIdentifier(SQL_READER_ROLE)} PASSWORD ${pg.escapeLiteral(scramSha256Verifier(password))}`,
  );
}

async function storePassword(client: ClientBase, password: string): Promise<void> {
  await client.query(
    `INSERT INTO satfarm_private.sql_reader (role, password) VALUES ($1, $2)
     ON CONFLICT (role) DO UPDATE SET password = EXCLUDED.password, updated_at = now()`,
    [SQL_READER_ROLE, password],
  );
}

/** DATABASE_URL with the reader's login in place of its user and password (also `?user=`/`?password=`). */
function readerUrl(databaseUrl: string, password: string): string {
  const url = new URL(databaseUrl);
  url.username = SQL_READER_ROLE;
  url.password = encodeURIComponent(password);
  url.searchParams.delete('user');
  url.searchParams.delete('password');
  return url.toString();
}

function newPassword(): string {
  return randomBytes(24).toString('base64url');
}

function missingReader(cause?: unknown): SqlReaderUnavailableError {
  return new SqlReaderUnavailableError(
    `this database has no read-only role for satfarm sql yet; run \`satfarm db migrate\` (it creates ${SQL_READER_ROLE})`,
    { cause },
  );
}

function notReady(error: unknown): SqlReaderSetup {
  const message = error instanceof Error ? error.message : String(error);
  return {
    ready: false,
    reason: `could not set up role ${SQL_READER_ROLE} (${message}); \`satfarm sql\` needs it, or DATABASE_READER_URL: run \`satfarm db migrate\` as a role that may CREATE ROLE`,
  };
}
