import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { InvalidRedisUrlError } from './errors.ts';

export interface RedisConnectionOptions {
  /**
   * Settings for a BullMQ Worker (or anything that blocks): BullMQ requires `maxRetriesPerRequest: null`
   * there, so commands wait through a Redis restart instead of failing. Producers keep a retry limit so
   * that `add` fails instead of hanging forever.
   */
  worker?: boolean;
}

interface ParsedRedisUrl {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: Record<string, never>;
}

export function parseRedisUrl(url: string): ParsedRedisUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidRedisUrlError(url, 'not a URL');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new InvalidRedisUrlError(url, `scheme '${parsed.protocol}' is not redis: or rediss:`);
  }
  const dbText = parsed.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0)
    throw new InvalidRedisUrlError(url, `database '${dbText}' is not an index >= 0`);
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  const out: ParsedRedisUrl = { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1', port, db };
  // `redis://secret@host` puts the password in the username slot (Redis < 6 has no users).
  if (parsed.password !== '') {
    out.password = decodeURIComponent(parsed.password);
    if (parsed.username !== '') out.username = decodeURIComponent(parsed.username);
  } else if (parsed.username !== '') {
    out.password = decodeURIComponent(parsed.username);
  } else {
    // `?password=…` (and `&username=…`), as ioredis's own URL parser reads them; ignoring them would
    // turn a password the user gave into a puzzling NOAUTH.
    const password = parsed.searchParams.get('password');
    const username = parsed.searchParams.get('username');
    if (password !== null && password !== '') out.password = password;
    if (password !== null && username !== null && username !== '') out.username = username;
  }
  if (parsed.protocol === 'rediss:') out.tls = {};
  return out;
}

/** Retry forever with a capped back-off: a worker outlives a Redis restart. */
const retryStrategy = (times: number) => Math.min(times * 200, 5_000);

/**
 * BullMQ connection settings for `url` (`redis[s]://[user[:password]@]host[:port][/db]`). BullMQ gets
 * settings rather than a client so every Queue/Worker opens and closes its own connections with the
 * ioredis version BullMQ was built against (it pins its own copy, newer than the workspace's).
 */
export function redisConnectionOptions(url: string, options: RedisConnectionOptions = {}): RedisOptions {
  return { ...parseRedisUrl(url), maxRetriesPerRequest: options.worker === true ? null : 20, retryStrategy };
}

/** A plain ioredis client for non-BullMQ use (health checks, test set-up); the caller closes it. */
export function createRedisConnection(url: string, options: RedisConnectionOptions = {}): Redis {
  return new Redis({
    ...parseRedisUrl(url),
    maxRetriesPerRequest: options.worker === true ? null : 20,
    retryStrategy,
  });
}
