import { hasTransientNetworkCode } from '@satfarm/contracts';
import type { Logger } from '@satfarm/queue';

/** Redis went away (refused, reset, timed out, unreachable): ioredis reconnects by itself. */
export function isConnectionError(error: unknown): boolean {
  if (hasTransientNetworkCode(error)) return true;
  return error instanceof Error && /Connection is closed|connect ETIMEDOUT|getaddrinfo/i.test(error.message);
}

/**
 * What a worker says while Redis is away: one warning line naming the server (password masked) and
 * the reason, at most once per `everyMs` (ioredis fails every reconnect attempt and BullMQ reports each
 * one), and one line when it is back. Other errors are logged in full.
 */
export function connectionTroubleReporter(
  logger: Logger,
  redis: string,
  everyMs = 30_000,
): { error(error: Error): void; ready(): void } {
  let lastReport = Number.NEGATIVE_INFINITY;
  let away = false;
  return {
    error(error) {
      if (!isConnectionError(error)) {
        logger.error('worker error', { error });
        return;
      }
      away = true;
      const now = Date.now();
      if (now - lastReport < everyMs) return;
      lastReport = now;
      const code = (error as { code?: unknown }).code;
      logger.warn('Redis unreachable; reconnecting with back-off (running trials keep training)', {
        redis,
        error: typeof code === 'string' ? `${code}: ${error.message}` : error.message,
      });
    },
    ready() {
      if (!away) return;
      away = false;
      lastReport = Number.NEGATIVE_INFINITY;
      logger.info('Redis reachable again', { redis });
    },
  };
}
