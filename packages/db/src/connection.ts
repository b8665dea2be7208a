import { hasTransientNetworkCode } from '@satfarm/contracts';
import pg from 'pg';
import type { Pool, PoolClient } from 'pg';
import { withDefaultUser } from './default-user.ts';
import { DatabaseUnreachableError } from './errors.ts';
import { redactUrl } from './redact-url.ts';

export type { Pool, PoolClient };

/** Where satfarm looks for its database when DATABASE_URL is not set (the local server, database `satfarm`). */
export const DEFAULT_DATABASE_URL = 'postgres://127.0.0.1:5432/satfarm';

export interface PoolOptions {
  /** Connections kept open (default 10). */
  max?: number;
  /** Give up connecting after this long (default 10 s), instead of hanging on a dead host. */
  connectionTimeoutMillis?: number;
  /** Shows up in `pg_stat_activity.application_name`. */
  applicationName?: string;
  /**
   * Called when an idle pooled connection fails (server restart, terminated backend). The pool
   * already dropped that connection; without a listener node would crash on the 'error' event.
   */
  onIdleError?: (error: Error) => void;
  /**
   * The server ends a session that sits this long inside a transaction waiting for its client: a
   * client that died mid-transaction (a machine losing power mid-write) would otherwise keep its row
   * locks until TCP notices, about two hours, blocking every other writer of those rows.
   */
  idleInTransactionTimeoutMs?: number;
}

// The pool keeps the raw URL; messages must only ever see the redacted one.
const redactedUrls = new WeakMap<Pool, string>();

export function createPool(url: string, options: PoolOptions = {}): Pool {
  const pool = new pg.Pool({
    connectionString: withDefaultUser(url),
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'satfarm',
    keepAlive: true,
    ...(options.idleInTransactionTimeoutMs === undefined
      ? {}
      : {
          options: `-c idle_in_transaction_session_timeout=${Math.max(1, Math.round(options.idleInTransactionTimeoutMs))}`,
        }),
  });
  redactedUrls.set(pool, redactUrl(url));
  const onIdleError = options.onIdleError ?? (() => {});
  pool.on('error', (error: Error) => onIdleError(error));
  return pool;
}

/** Borrows one connection for `fn`, always returning it (a failed connection is discarded). */
export async function withClient<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await connect(pool);
  let broken: Error | undefined;
  try {
    return await fn(client);
  } catch (error) {
    if (isConnectionLevelError(error)) broken = error as Error;
    throw error;
  } finally {
    client.release(broken);
  }
}

export interface TransactionOptions {
  readOnly?: boolean;
  /** One snapshot for every statement (default: READ COMMITTED, a snapshot per statement). */
  repeatableRead?: boolean;
}

/** Runs `fn` inside BEGIN … COMMIT; any throw rolls back and is rethrown. */
export async function withTransaction<T>(
  pool: Pool,
  fn: (client: PoolClient) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const client = await connect(pool);
  let broken: Error | boolean | undefined;
  try {
    if (options.repeatableRead && options.readOnly) {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    } else if (options.repeatableRead) {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    } else {
      await client.query(options.readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
    }
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch {
      // The connection is unusable (that is likely why we are here): drop it rather than pool it.
      broken = true;
    }
    throw error;
  } finally {
    client.release(broken);
  }
}

/** pool.connect(), with connection failures turned into a DatabaseUnreachableError naming the redacted URL. */
export async function connect(pool: Pool): Promise<PoolClient> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    if (pool.ended) throw error;
    throw unreachable(redactedUrls.get(pool) ?? '(the configured database)', error);
  }
  // A connection the server ends while we hold it between two queries (a restart, pg_terminate_backend)
  // emits 'error' on the client, and an 'error' nobody listens to crashes the process. Heard here, the
  // next query fails instead, and the pool drops the dead client when it comes back.
  const ignore = () => {};
  client.on('error', ignore);
  const release = client.release;
  client.release = (destroy?: Error | boolean) => {
    client.off('error', ignore);
    return release.call(client, destroy);
  };
  return client;
}

/** Wraps an error thrown while opening a connection. */
export function unreachable(redacted: string, error: unknown): DatabaseUnreachableError {
  const code = (error as { code?: unknown } | null)?.code;
  const reason = error instanceof Error ? error.message : String(error);
  if (code === '3D000') {
    return new DatabaseUnreachableError(redacted, reason, {
      cause: error,
      hint: 'create it with `satfarm db migrate` (it creates a missing database)',
    });
  }
  if (code === '28P01' || code === '28000') {
    return new DatabaseUnreachableError(redacted, reason, {
      cause: error,
      hint: 'check the user and password in DATABASE_URL',
    });
  }
  return new DatabaseUnreachableError(redacted, reason, { cause: error });
}

/**
 * An error that waiting can cure: PostgreSQL unreachable, restarting, or the connection cut (as
 * opposed to a statement PostgreSQL refused). Callers retry these with back-off.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  if (error instanceof DatabaseUnreachableError) {
    // A wrong password or a missing database does not cure itself.
    const code = (error.cause as { code?: unknown } | undefined)?.code;
    return code !== '28P01' && code !== '28000' && code !== '3D000';
  }
  if (isConnectionLevelError(error)) return true;
  if (hasTransientNetworkCode(error)) return true;
  return error instanceof Error && /Connection terminated|connection timeout/i.test(error.message);
}

function isConnectionLevelError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // Class 08 = connection exception; 57P01..03 = the server is shutting down or terminated us.
  return typeof code === 'string' ? code.startsWith('08') || code.startsWith('57P') : false;
}
