import { Redis } from 'ioredis';
import { parseRedisUrl } from './connection.ts';
import { RedisUnreachableError } from './errors.ts';
import { redactRedisUrl } from './redis-url.ts';

/**
 * Connects once and PINGs, failing within `timeoutMs` with RedisUnreachableError. Commands that would
 * otherwise retry forever (workers) call this first so a missing server is a clear error, not a hang.
 * A malformed URL throws InvalidRedisUrlError instead.
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
  // ioredis reports failures both as rejections and as 'error' events; the rejection carries them,
  // and an 'error' event without a listener would crash the process.
  client.on('error', () => {});
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no answer')), timeoutMs);
    });
    await Promise.race([client.connect().then(() => client.ping()), timeout]);
  } catch (cause) {
    throw new RedisUnreachableError(redactRedisUrl(url), timeoutMs, { cause });
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}
