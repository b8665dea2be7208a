/** The URL with any password (and a username-only secret) replaced by `***`, safe to log and to show. */
export function redactRedisUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL we can parse: hide everything between '//' and '@', where credentials would be.
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
  if (parsed.password !== '') parsed.password = '***';
  // `redis://secret@host` puts the password in the username slot (Redis < 6 has no users).
  else if (parsed.username !== '') parsed.username = '***';
  return parsed.toString();
}
