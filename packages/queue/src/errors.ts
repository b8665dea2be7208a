import { InvalidValueError } from '@satfarm/contracts';
import { redactRedisUrl } from './redis-url.ts';

/** Redis did not answer: the message names the URL (password hidden) and how to start a server. */
export class RedisUnreachableError extends Error {
  override readonly name = 'RedisUnreachableError';
  constructor(
    readonly url: string,
    readonly timeoutMs: number,
    options?: ErrorOptions,
  ) {
    // ioredis ends its messages with a period; the sentence goes on here.
    const reason = options?.cause instanceof Error ? `: ${options.cause.message.replace(/\.+$/, '')}` : '';
    super(
      `cannot reach Redis at ${url} within ${timeoutMs} ms${reason}. Start one with ` +
        '`docker compose up -d redis` (from the satfarm checkout) or, on Debian, `apt install redis-server` ' +
        '(it starts as a service), or point REDIS_URL at a running server.',
      options,
    );
  }
}

/**
 * Redis answered but refused the credentials: the password in REDIS_URL is wrong (WRONGPASS, or
 * `ERR invalid password` before Redis 6) or missing (NOAUTH). Said as such, not as "Connection is closed".
 */
export class RedisAuthError extends Error {
  override readonly name = 'RedisAuthError';
  constructor(
    /** The URL with its password hidden. */
    readonly url: string,
    /** Redis's own reply, e.g. `WRONGPASS invalid username-password pair or user is disabled.` */
    readonly reply: string,
    options?: ErrorOptions,
  ) {
    const missing = reply.startsWith('NOAUTH');
    super(
      `Redis at ${url} ${missing ? 'requires a password' : 'refused the password'} (${reply.replace(/\.+$/, '')}): ` +
        `${missing ? 'put it in' : 'check'} REDIS_URL, as redis://[user]:PASSWORD@host[:port][/db]`,
      options,
    );
  }
}

/**
 * A job's payload does not match its schema (on enqueue: a bug upstream; on dequeue: a foreign or old
 * job). An invalid value like any invalid config: the same payload fails the same way, never retried.
 */
export class InvalidJobError extends InvalidValueError {
  override readonly name = 'InvalidJobError';
  readonly queue: string;
  readonly jobId: string | undefined;
  readonly problems: string;
  constructor(queue: string, jobId: string | undefined, problems: string) {
    super(
      `${queue} job`,
      jobId,
      'a payload that matches its schema',
      `invalid ${queue} job${jobId === undefined ? '' : ` ${jobId}`}: ${problems}`,
    );
    this.queue = queue;
    this.jobId = jobId;
    this.problems = problems;
  }
}

/** REDIS_URL (or `redisUrl`) cannot be used. */
export class InvalidRedisUrlError extends Error {
  override readonly name = 'InvalidRedisUrlError';
  /** The URL with its password hidden: an error object gets logged and inspected whole. */
  readonly url: string;
  constructor(
    url: string,
    readonly problem: string,
  ) {
    const redacted = redactRedisUrl(url);
    super(
      `invalid Redis URL '${redacted}': ${problem}; expected redis://[user[:password]@]host[:port][/db] (or rediss:// for TLS)`,
    );
    this.url = redacted;
  }
}
