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
  if (parsed.password !== '') parsed.password = '***';
  // `?password=…` is accepted by node-postgres too.
  for (const key of [...parsed.searchParams.keys()]) {
    if (/pass|secret|token|key/i.test(key)) parsed.searchParams.set(key, '***');
  }
  return parsed.toString();
}
