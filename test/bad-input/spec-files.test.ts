/**
 * Bad sweep specs through `satfarm sweep create`, end to end: each is refused with one line naming the
 * offending field and value, a non-zero exit, and nothing in PostgreSQL or Redis.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from '@satfarm/db/vitest';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { openTrialJobs, refusal, satfarm, TEST_REDIS_URL } from './satfarm-cli.ts';

const VALID = {
  name: 'bad-input',
  dataset: '{ name: synthetic, trainLimit: 64, testLimit: 32 }',
  grid: '{ architecture: [simple-cnn], resolution: [16], seed: [1] }',
  training: '{ epochs: 1, batchSize: 32 }',
};

/** The valid spec with some sections replaced (`undefined` drops one) and extra lines appended. */
function spec(parts: Partial<Record<keyof typeof VALID, string | undefined>>, extra = ''): string {
  const merged = { ...VALID, ...parts };
  return (
    Object.entries(merged)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key}: ${value}`)
      .join('\n') + `\n${extra}`
  );
}

/** A YAML "billion laughs": 10^12 strings from a few hundred bytes, if the parser expanded aliases. */
function aliasBomb(): string {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i <= 12; i++)
    lines.push(
      `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  return `${lines.join('\n')}\nname: *a12\n`;
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i).join(', ');

/** [what is wrong, the file's content (or a path kind), what the error line must say] */
const CASES: [string, string | { kind: 'missing' }, RegExp][] = [
  [
    'wrong type: a resolution given as text',
    spec({ grid: '{ architecture: [simple-cnn], resolution: [twelve] }' }),
    /grid\.resolution\[0\]: wrong type \(got "twelve" \(string\); expected a number\)/,
  ],
  [
    'wrong type: the grid as a list',
    spec({ grid: '[simple-cnn, 16]' }),
    /grid: wrong type \(got \["simple-cnn",16\] \(list\); expected a mapping/,
  ],
  [
    'unknown top-level key',
    spec({}, 'optimiser: adam\n'),
    /optimiser: unknown key \(got "optimiser"; expected one of name, dataset, grid/,
  ],
  [
    'unknown grid key',
    spec({ grid: '{ architecture: [simple-cnn], resolution: [16], colour: [1] }' }),
    /grid\.colour: unknown key/,
  ],
  ['a missing section', spec({ training: undefined }), /training: missing/],
  [
    'an empty grid list',
    spec({ grid: '{ architecture: [simple-cnn], resolution: [] }' }),
    /grid\.resolution: empty list \(got 0 values; expected at least 1 value\)/,
  ],
  [
    'duplicate grid values',
    spec({ grid: '{ architecture: [simple-cnn], resolution: [16], seed: [1, 2, 1] }' }),
    /grid\.seed\[2\]: duplicate grid value \(got 1; expected each value once \(already at index 0\)\)/,
  ],
  [
    'an unknown architecture',
    spec({ grid: '{ architecture: [resnet999], resolution: [32] }' }),
    /grid\.architecture\[0\]: not an allowed value \(got "resnet999"; expected one of "simple-cnn"/,
  ],
  [
    'a resolution too small for the network',
    spec({ grid: '{ architecture: [simple-cnn, vgg11], resolution: [16, 8] }' }),
    /vgg11 at resolution 8 .*below the minimum of 32 for vgg11/,
  ],
  [
    'an absurd resolution',
    spec({ grid: '{ architecture: [simple-cnn], resolution: [100000] }' }),
    /grid\.resolution\[0\]: too large \(got 100000; expected at most 1024\)/,
  ],
  [
    'an absurd batch size',
    spec({ training: '{ epochs: 1, batchSize: 1000000000 }' }),
    /training\.batchSize: too large \(got 1000000000; expected at most 65536\)/,
  ],
  [
    'an absurd grid (more than 10,000 trials)',
    spec({
      grid: `{ architecture: [simple-cnn], resolution: [${range(16, 101)}], seed: [${range(1, 100)}] }`,
    }),
    /grid: the grid expands to too many trials \(10100 trials from 1 architecture × 101 resolution × 100 seed\)/,
  ],
  [
    'a negative learning rate',
    spec({ training: '{ epochs: 1, batchSize: 32, learningRate: -0.1 }' }),
    /training\.learningRate: too small \(got -0\.1; expected more than 0\)/,
  ],
  [
    'bad YAML (an unclosed list)',
    'name: x\ngrid: { architecture: [simple-cnn, resolution: [12]\n',
    /not valid YAML at line \d+, column \d+/,
  ],
  [
    'YAML with a key given twice',
    spec({}, 'name: again\n'),
    /not valid YAML at line 5.*Map keys must be unique/,
  ],
  [
    'a name with terminal escapes (ESC, BEL)',
    spec({ name: '"evil\\e]0;pwned\\a\\e[2J"' }),
    /^satfarm: {3}- name: control character \\x1b at position 4 \(got "evil\\x1b\]0;pwned\\x07\\x1b\[2J"; expected printable text: .*no control characters/m,
  ],
  [
    'a name with NUL, DEL and an 8-bit CSI',
    spec({ name: '"a\\0b\\x7f\\x9b"' }),
    /name: control character \\x00 at position 1 \(got "a\\x00b\\x7f\\x9b"; expected printable text/,
  ],
  ['a YAML alias bomb', aliasBomb(), /not a usable YAML file: Excessive alias count/],
  ['an empty file', '', /\(spec\): wrong type \(got null \(null\); expected a mapping/],
  ['no such file', { kind: 'missing' }, /cannot read sweep spec .*: ENOENT/],
];

let dir: string;
let jobs: ReturnType<typeof openTrialJobs>;
let jobsBefore: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'satfarm-bad-spec-'));
  jobs = openTrialJobs();
  jobsBefore = await jobs.count();
});
afterAll(async () => {
  await jobs?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('satfarm sweep create with a bad spec', () => {
  it.concurrent.for(CASES)('refuses %s and writes nothing', async ([what, content, expected], { db }) => {
    const file = join(dir, `${what.replace(/\W+/g, '-')}.yaml`);
    if (typeof content === 'string') await writeFile(file, content);
    const run = await satfarm(['sweep', 'create', file], { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL });
    const verdict = refusal(run);
    expect(verdict.why).toBe('');
    expect(run.stderr).toMatch(expected);
    // The first line already names the file or the problem; at most one more line per problem.
    expect(run.stderr.split('\n')[0]).toMatch(/^satfarm: /);
    // Errors quote values from the file: never a raw control character (a terminal would act on it).
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
    expect(run.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(run.stdout).toBe('');
    const { rows } = await db.pool.query<{ sweeps: number; trials: number }>(
      'SELECT (SELECT count(*) FROM sweeps)::int AS sweeps, (SELECT count(*) FROM trials)::int AS trials',
    );
    expect(rows[0]).toEqual({ sweeps: 0, trials: 0 });
  });

  it('enqueued no job for any of them', async () => {
    expect(await jobs.count()).toBe(jobsBefore);
  });
});
