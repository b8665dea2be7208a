import { userInfo } from 'node:os';

/**
 * Fills in the operating-system user when a URL names none, as libpq (psql) does. node-postgres
 * falls back to $USER instead, which is unset in some service and CI environments.
 */
export function withDefaultUser(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.username !== '') return url;
  let name: string;
  try {
    name = userInfo().username;
  } catch {
    return url;
  }
  parsed.username = encodeURIComponent(name);
  return parsed.toString();
}
