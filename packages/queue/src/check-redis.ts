import { Redis } from 'ioredis';
import { parseRedisUrl } from './connection.ts';
import { RedisAuthError, RedisUnreachableError } from './errors.ts';
import { redactRedisUrl } from './redis-url.ts';

/** Replies that mean the credentials are wrong or missing (WRONGPASS/NOAUTH; Redis < 6: invalid password). */
const AUTH_REPLY = /^(WRONGPASS|NOAUTH)\b|^ERR invalid (username-)?password/;

/**
 * Connects once and PINGs, failing within `timeoutMs` with RedisUnreachableError, or RedisAuthError
 * when the server refuses the password. Commands that would otherwise retry forever (workers) call
 * this first so a missing server is a clear error, not a hang. A malformed URL throws
 * InvalidRedisUrlError instead.
 */
export async function checkRedis(url: string, timeoutMs = 3_000): Promise<void> {
  const client = new Redis({
    ...parseRedisUrl(url),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // ioredis reports failures both as rejections and as 'error' events, and an 'error' event without a
  // listener would crash the process. A refused AUTH only shows up as an event: the rejection that
  // follows says "Connection is closed", which would send people looking for a server that is running.
  let refused: Error | undefined;
  client.on('error', (error: unknown) => {
    if (refused === undefined && error instanceof Error && AUTH_REPLY.test(error.message)) refused = error;
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no answer')), timeoutMs);
    });
    await Promise.race([client.connect().then(() => client.ping()), timeout]);
  } catch (cause) {
    const auth = refused ?? (cause instanceof Error && AUTH_REPLY.test(cause.message) ? cause : undefined);
    if (auth !== undefined) throw new RedisAuthError(redactRedisUrl(url), auth.message, { cause: auth });
    throw new RedisUnreachableError(redactRedisUrl(url), timeoutMs, { cause });
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}
