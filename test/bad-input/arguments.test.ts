/**
 * Bad command lines and bad CSV files for `satfarm analyze`: one line naming the flag, file, line or
 * column at fault, a non-zero exit, no stack trace. None of these needs Redis or PostgreSQL (the
 * defaults point at closed ports, so a command that tried to connect would fail differently).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusal, satfarm } from './satfarm-cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'satfarm-bad-args-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ARGUMENT_CASES: [string, string[], RegExp][] = [
  ['an unknown command', ['frobnicate'], /^error: unknown command 'frobnicate'/m],
  [
    'an unknown option',
    ['train', '--arch', 'simple-cnn', '--resolution', '28', '--colour', 'red'],
    /^error: unknown option '--colour'/m,
  ],
  [
    'text where a number belongs',
    ['train', '--arch', 'simple-cnn', '--resolution', 'abc'],
    /^satfarm: --resolution: got "abc"; expected a number/m,
  ],
  [
    'a missing required option',
    ['train', '--resolution', '28'],
    /required option '--arch <name>' not specified/,
  ],
  [
    'an unknown output format',
    ['results', 'some-sweep', '--format', 'xml'],
    /^satfarm: --format: got "xml"; expected table, csv or json/m,
  ],
  ['a worker with no concurrency', ['worker', '--concurrency', '0'], /concurrency: .*>=1 \(got 0\)/],
  ['a GPU listed twice', ['worker', '--gpus', '0,0'], /^satfarm: --gpus: got '0,0': GPU 0 is listed twice/m],
  [
    'a GPU id that is not a number',
    ['worker', '--gpus', '0,x'],
    /^satfarm: --gpus: got '0,x': 'x' is not a GPU id/m,
  ],
  [
    'fewer trainers than GPUs',
    ['worker', '--gpus', '0,1', '--concurrency', '1'],
    /concurrency: 1 trainer\(s\) for 2 GPUs \(0,1\) would leave a GPU idle/,
  ],
  ['an empty SQL statement', ['sql', '  ;  '], /^satfarm: empty query/m],
];

describe('satfarm with bad arguments', () => {
  it.concurrent.each(ARGUMENT_CASES)('refuses %s', async (_, args, expected) => {
    const run = await satfarm(args);
    expect(refusal(run).why).toBe('');
    expect(run.stderr).toMatch(expected);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});

const CSV_CASES: [string, string | undefined, RegExp][] = [
  ['an empty file', '', /: no data rows; expected comma-separated numbers/],
  ['a header and no data', 'f0,f1,f2\n', /: no data rows/],
  ['a ragged row', '1,2,3\n4,5,6\n7,8\n', /: line 3 has 2 fields; expected 3 like the lines before it/],
  ['a word among the numbers', '1,2\n3,abc\n', /: line 2, column 2: "abc" is not a finite number/],
  [
    'values whose covariance overflows',
    '1e300,1\n-1e300,2\n1e300,3\n',
    /: the values are too large: their covariance overflows 64-bit floats/,
  ],
  ['a file that does not exist', undefined, /^satfarm: cannot read .*missing\.csv: ENOENT/m],
];

describe('satfarm analyze with a bad CSV file', () => {
  it.concurrent.each(CSV_CASES)('refuses %s', async (what, content, expected) => {
    const file = join(dir, content === undefined ? 'missing.csv' : `${what.replace(/\W+/g, '-')}.csv`);
    if (content !== undefined) await writeFile(file, content);
    const run = await satfarm(['analyze', file, '--json']);
    expect(refusal(run).why).toBe('');
    expect(run.stderr).toMatch(expected);
    // The line names the file, so a user with several knows which one.
    expect(run.stderr).toContain(file);
    expect(run.stdout).toBe('');
  });
});
