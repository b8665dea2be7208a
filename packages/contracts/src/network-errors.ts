/**
 * Socket error codes that say the way to a server is down for now: refused, reset, timed out, host or
 * network unreachable, a broken pipe, a name that did not resolve. Waiting and reconnecting can cure
 * these, unlike an answer the server gave. The one list behind Redis trouble (the worker rides it out)
 * and PostgreSQL trouble (retried with back-off; the dashboard's 503).
 */
export const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOTFOUND',
]);

/** Whether `error` carries one of TRANSIENT_NETWORK_CODES as its `code`. */
export function hasTransientNetworkCode(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code);
}
