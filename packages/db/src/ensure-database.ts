import pg from 'pg';
import type { Client } from 'pg';
import { unreachable } from './connection.ts';
import { withDefaultUser } from './default-user.ts';
import { redactUrl } from './redact-url.ts';

export class InvalidDatabaseUrlError extends Error {
  override name = 'InvalidDatabaseUrlError';
  constructor(url: string, problem: string) {
    super(
      `DATABASE_URL ${redactUrl(url)}: ${problem}; expected postgres://[user[:password]@]host[:port]/database`,
    );
  }
}

/** The database a `postgres://…/name` URL names, and the URL of the same server's `postgres` database. */
export function splitDatabaseUrl(url: string): { database: string; adminUrl: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidDatabaseUrlError(url, 'not a URL');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new InvalidDatabaseUrlError(url, `scheme ${JSON.stringify(parsed.protocol)} is not postgres:`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database === '' || database.includes('/')) {
    throw new InvalidDatabaseUrlError(url, `database name ${JSON.stringify(database)} is missing or invalid`);
  }
  const admin = new URL(parsed.toString());
  admin.pathname = '/postgres';
  return { database, adminUrl: admin.toString() };
}

/**
 * Opens one plain connection (no pool): for administrative statements, and for the reader login of
 * `satfarm sql`. A failure to connect is a DatabaseUnreachableError naming the redacted URL.
 */
export async function connectOnce(adminUrl: string): Promise<Client> {
  const client = new pg.Client({
    connectionString: withDefaultUser(adminUrl),
    connectionTimeoutMillis: 10_000,
  });
  // A server-side termination of this short-lived connection must not crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    throw unreachable(redactUrl(adminUrl), error);
  }
  return client;
}

/**
 * Creates the database named by `url` when it does not exist (connecting to the `postgres` database
 * of the same server). Safe to run from several processes at once.
 */
export async function ensureDatabase(url: string): Promise<{ database: string; created: boolean }> {
  const { database, adminUrl } = splitDatabaseUrl(url);
  if (database === 'postgres') return { database, created: false };
  const client = await connectOnce(adminUrl);
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (existing.rows.length > 0) return { database, created: false };
    try {
      // DDL takes no parameters; the name is quoted as an identifier instead.
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
      return { database, created: true };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      // Another process created it between our check and our CREATE.
      if (code === '42P04' || code === '23505') return { database, created: false };
      throw error;
    }
  } finally {
    await client.end();
  }
}
