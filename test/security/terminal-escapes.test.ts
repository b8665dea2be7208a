/**
 * Names with terminal escapes never reach a terminal raw. New ones are refused when a spec is read
 * (test/bad-input/spec-files.test.ts); rows written before that, or by hand, are escaped by every command
 * that prints them, through the real CLI: status lines, "no sweep matches" errors, plot's summary, JSON.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestDatabase } from '@satfarm/db/testing';
import { it } from '@satfarm/db/vitest';
import { afterAll, describe, expect } from 'vitest';
import { satfarm, TEST_REDIS_URL } from '../bad-input/satfarm-cli.ts';

/** OSC retitle, BEL, clear screen, an 8-bit CSI (C1) and DEL: each would act on a terminal. */
const HOSTILE = 'evil\u001b]0;pwned\u0007\u001b[2J\u009b31m\u007f';
const SWEEP_ID = 'e5ca9e00000000000000000000000001';
/** Any control character but the newline that ends each line. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

let dir: string;
it.beforeAll(async ({ db }) => {
  dir = await mkdtemp(join(tmpdir(), 'satfarm-escapes-'));
  // As an old row would hold it: written before names were checked.
  await db.pool.query(`INSERT INTO sweeps (id, name, spec, trial_count) VALUES ($1, $2, '{}', 0)`, [
    SWEEP_ID,
    HOSTILE,
  ]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const env = (db: TestDatabase) => ({ DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL });

/** [command, arguments, exit code, the stream that shows the name, what it must say] */
const CASES: [string, () => string[], number, 'stdout' | 'stderr', RegExp][] = [
  [
    'sweep status (the status line)',
    () => ['sweep', 'status', SWEEP_ID.slice(0, 8)],
    0,
    'stdout',
    /^evil\\x1b\]0;pwned\\x07\\x1b\[2J\\x9b31m\\x7f \(e5ca9e00\): running; no trials/,
  ],
  [
    'results of an unknown sweep (the recent sweeps in the error)',
    () => ['results', 'no-such-sweep'],
    1,
    'stderr',
    /^satfarm: no sweep matches "no-such-sweep": .*recent sweeps: evil\\x1b\]0;pwned\\x07\\x1b\[2J\\x9b31m\\x7f \(e5ca9e00\)$/m,
  ],
  [
    'best of a name typed with escapes (the error quoting it)',
    () => ['best', 'x\u009b2J\u007f'],
    1,
    'stderr',
    /^satfarm: no sweep matches "x\\x9b2J\\x7f"/m,
  ],
  [
    'sql (a table cell)',
    () => ['sql', 'SELECT name FROM sweeps'],
    0,
    'stdout',
    /^evil\\x1b\]0;pwned\\x07\\x1b\[2J\\x9b31m\\x7f$/m,
  ],
  [
    'plot (the summary line)',
    () => ['plot', SWEEP_ID, '--out', join(dir, 'sweep.svg')],
    0,
    'stdout',
    /: sweep evil\\x1b\]0;pwned\\x07\\x1b\[2J\\x9b31m\\x7f \(e5ca9e00\): 0 architecture/,
  ],
];

describe('names with terminal escapes from the database', () => {
  it.concurrent.for(CASES)('are printed escaped: %s', async ([_, args, code, stream, expected], { db }) => {
    const run = await satfarm(args(), env(db), { timeoutMs: 30_000 });
    expect(run.timedOut).toBe(false);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(RAW_CONTROL);
    expect(run[stream]).toMatch(expected);
    expect(run.code).toBe(code);
  });
});

describe('names with terminal escapes in JSON output', () => {
  it('keep their value for scripts but reach the terminal only as \\u escapes (DEL and C1 too)', async ({
    db,
  }) => {
    const run = await satfarm(['sweep', 'status', SWEEP_ID, '--json'], env(db), { timeoutMs: 30_000 });
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(RAW_CONTROL);
    expect(run.stdout).toContain('"name":"evil\\u001b]0;pwned\\u0007\\u001b[2J\\u009b31m\\u007f"');
    expect((JSON.parse(run.stdout) as { name: string }).name).toBe(HOSTILE);
  });
});

describe('sql --json', () => {
  it('streams the name with DEL and C1 as \\u escapes too', async ({ db }) => {
    const run = await satfarm(['sql', 'SELECT name FROM sweeps', '--json'], env(db), { timeoutMs: 30_000 });
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(RAW_CONTROL);
    expect((JSON.parse(run.stdout) as { rows: string[][] }).rows).toEqual([[HOSTILE]]);
  });
});
