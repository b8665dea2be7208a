/**
 * A connection string fit for messages and logs: the password becomes `***`. Anything that does not
 * parse as a URL is not echoed at all, since we cannot tell where its secret is.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(a connection string that is not a valid URL)';
  }
  // `user:secret@host` parses as a URL of scheme `user:` whose path holds the secret.
  const postgres = parsed.protocol === 'postgres:' || parsed.protocol === 'postgresql:';
  if (!postgres || (parsed.host === '' && url.includes('@'))) {
    return '(a connection string that is not a postgres:// URL)';
  }
  if (parsed.password !== '') parsed.password = '***';
  // `?password=…` is accepted by node-postgres too.
  for (const key of [...parsed.searchParams.keys()]) {
    if (/pass|secret|token|key/i.test(key)) parsed.searchParams.set(key, '***');
  }
  return parsed.toString();
}
