/** The URL with any password (and a username-only secret) replaced by `***`, safe to log and to show. */
export function redactRedisUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return maskBeforeLastAt(url);
  }
  // `u:secret@host` parses as a URL of scheme `u:` whose path holds the secret: hide it the same way.
  if ((parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') || parsed.host === '') {
    return maskBeforeLastAt(url);
  }
  if (parsed.password !== '') parsed.password = '***';
  // `redis://secret@host` puts the password in the username slot (Redis < 6 has no users).
  else if (parsed.username !== '') parsed.username = '***';
  return parsed.toString();
}

/**
 * For text that is not a URL we understand: everything between the scheme and the last `@` (where
 * credentials would be, even ones with an unescaped `/` or `#` in them) becomes `***`.
 */
function maskBeforeLastAt(text: string): string {
  const at = text.lastIndexOf('@');
  if (at < 0) return text;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text)?.[0] ?? '';
  return `${scheme}***${text.slice(at)}`;
}
