/** The farm's Redis when REDIS_URL (or `--redis-url`) names none. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Query parameters whose values are hidden: passwords, and anything else that looks like a credential. */
const SECRET_PARAMETER = /pass|secret|token|key|auth/i;

/** The URL with any password (and a username-only secret) replaced by `***`, safe to log and to show. */
export function redactRedisUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return maskText(url);
  }
  // `u:secret@host` parses as a URL of scheme `u:` whose path holds the secret: hide it the same way.
  if ((parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') || parsed.host === '') {
    return maskText(url);
  }
  if (parsed.password !== '') parsed.password = '***';
  // `redis://secret@host` puts the password in the username slot (Redis < 6 has no users).
  else if (parsed.username !== '') parsed.username = '***';
  // `?password=…` is a password too (ioredis and parseRedisUrl read it), and so is anything named like one.
  for (const key of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAMETER.test(key)) parsed.searchParams.set(key, '***');
  }
  return parsed.toString();
}

/**
 * For text that is not a URL we understand: everything between the scheme and the last `@` (where
 * credentials would be, even ones with an unescaped `/` or `#` in them) becomes `***`, and so does the
 * value of every query parameter named like a secret (`redis://host:badport/?password=…` is no URL).
 */
function maskText(text: string): string {
  const masked = text.replace(/([?&;]([^=&#;]*)=)([^&#;]*)/g, (whole, head: string, key: string) =>
    SECRET_PARAMETER.test(key) ? `${head}***` : whole,
  );
  const at = masked.lastIndexOf('@');
  if (at < 0) return masked;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(masked)?.[0] ?? '';
  return `${scheme}***${masked.slice(at)}`;
}
