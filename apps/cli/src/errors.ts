import type { z } from 'zod';

/** A command-line mistake: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Maps a config path (as zod reports it) to the flag a user typed, so errors name what they can fix. */
export type FlagNames = Record<string, string>;

/** One line per zod issue: `--epochs: got -1; expected a number >= 1`. */
export function describeIssues(error: z.ZodError, input: unknown, flags: FlagNames = {}): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.join('.');
      const where = flags[path] ?? (path || 'input');
      const got = valueAt(input, issue.path);
      return `${where}: got ${JSON.stringify(got) ?? 'nothing'}; ${issue.message}`;
    })
    .join('\n');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const key of path) {
    if (v == null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}
