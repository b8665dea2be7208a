import { describe, expect, it } from 'vitest';
import { stableHash } from './canonical.ts';
import {
  countTrials,
  expandSweep,
  InvalidSpecError,
  MAX_TRIALS_PER_SWEEP,
  parseSweepSpec,
  sweepIdFor,
  trialIdFor,
} from './sweep-spec.ts';
import { TrialConfig } from './trial-config.ts';

// The example of the issue, as the CLI hands it over after parsing YAML.
const example = () => ({
  name: 'fashion-resolution',
  dataset: { name: 'fashion-mnist', trainLimit: 2000, testLimit: 1000 },
  grid: {
    architecture: ['simple-cnn', 'vgg11'],
    resolution: [14, 28, 56],
    seed: [1, 2],
    widthMultiplier: [0.25],
  },
  training: { epochs: 3, batchSize: 64, optimizer: 'adam', learningRate: 0.001 },
  saturation: { delta: 0.99 },
  retries: 3,
});

function problemsOf(input: unknown): string[] {
  try {
    parseSweepSpec(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidSpecError);
    return (error as InvalidSpecError).message.split('\n').slice(1);
  }
  throw new Error('expected the spec to be refused');
}

describe('parseSweepSpec + expandSweep', () => {
  it('expands the cartesian product in a fixed order, architecture slowest', () => {
    const spec = parseSweepSpec(example());
    const trials = expandSweep(spec);
    expect(trials).toHaveLength(12);
    expect(countTrials(spec.grid)).toBe(12);
    expect(trials.map((t) => `${t.architecture}/${t.resolution}/${t.seed}`)).toEqual([
      'simple-cnn/14/1',
      'simple-cnn/14/2',
      'simple-cnn/28/1',
      'simple-cnn/28/2',
      'simple-cnn/56/1',
      'simple-cnn/56/2',
      'vgg11/14/1',
      'vgg11/14/2',
      'vgg11/28/1',
      'vgg11/28/2',
      'vgg11/56/1',
      'vgg11/56/2',
    ]);
    expect(trials[0]).toEqual({
      architecture: 'simple-cnn',
      resolution: 14,
      seed: 1,
      widthMultiplier: 0.25,
      dataset: { name: 'fashion-mnist', trainLimit: 2000, testLimit: 1000 },
      training: { epochs: 3, batchSize: 64, optimizer: 'adam', learningRate: 0.001 },
      saturation: { delta: 0.99, kRule: 'textbook', maxSamplesPerBatch: 0 },
    });
    for (const trial of trials) expect(TrialConfig.parse(trial)).toEqual(trial);
  });

  it('fills defaults: retries 3, seed [1], widthMultiplier 1, saturation settings', () => {
    const { retries: _r, saturation: _s, ...rest } = example();
    const spec = parseSweepSpec({ ...rest, grid: { architecture: ['vgg11'], resolution: [32] } });
    expect(spec.retries).toBe(3);
    expect(spec.saturation).toEqual({ delta: 0.99, kRule: 'textbook', maxSamplesPerBatch: 0 });
    expect(expandSweep(spec)).toMatchObject([
      { architecture: 'vgg11', resolution: 32, seed: 1, widthMultiplier: 1 },
    ]);
  });

  it('applies simple-cnn-only options to simple-cnn trials only', () => {
    const spec = parseSweepSpec({
      ...example(),
      grid: { architecture: ['simple-cnn', 'resnet18'], resolution: [32], depth: [2, 4], kernelSize: [3, 5] },
    });
    const trials = expandSweep(spec);
    expect(trials.map((t) => [t.architecture, t.depth, t.kernelSize])).toEqual([
      ['simple-cnn', 2, 3],
      ['simple-cnn', 2, 5],
      ['simple-cnn', 4, 3],
      ['simple-cnn', 4, 5],
      ['resnet18', undefined, undefined],
    ]);
    expect(countTrials(spec.grid)).toBe(5);
    expect('depth' in trials[4]!).toBe(false);
  });
});

describe('ids', () => {
  it('the same spec (whatever its key order) gives the same sweep and trial ids', () => {
    const a = parseSweepSpec(example());
    const reordered = Object.fromEntries(Object.entries(example()).reverse());
    const b = parseSweepSpec(reordered);
    expect(sweepIdFor(a)).toBe(sweepIdFor(b));
    expect(sweepIdFor(a)).toMatch(/^[0-9a-f]{32}$/);
    const idsA = expandSweep(a).map((c) => trialIdFor(sweepIdFor(a), c));
    const idsB = expandSweep(b).map((c) => trialIdFor(sweepIdFor(b), c));
    expect(idsA).toEqual(idsB);
    expect(new Set(idsA).size).toBe(12);
    expect(idsA[0]).toBe(stableHash({ sweepId: sweepIdFor(a), config: expandSweep(a)[0] }));
  });

  it('an explicit default names the same sweep as an omitted one; any real change names another', () => {
    const { retries: _r, ...withoutRetries } = example();
    expect(sweepIdFor(parseSweepSpec(withoutRetries))).toBe(sweepIdFor(parseSweepSpec(example())));
    expect(sweepIdFor(parseSweepSpec({ ...example(), name: 'other' }))).not.toBe(
      sweepIdFor(parseSweepSpec(example())),
    );
  });
});

describe('bad specs name the path, the value and what is valid', () => {
  it('unknown keys, at the top and inside the grid', () => {
    expect(problemsOf({ ...example(), epochs: 3, grid: { ...example().grid, lr: [0.1] } })).toEqual([
      '  - grid.lr: unknown key (got "lr"; expected one of architecture, resolution, seed, widthMultiplier, depth, kernelSize, baseWidth)',
      '  - epochs: unknown key (got "epochs"; expected one of name, dataset, grid, training, saturation, projection, retries, search)',
    ]);
  });

  it('wrong types', () => {
    const problems = problemsOf({
      ...example(),
      grid: { ...example().grid, resolution: ['28', 2.5] },
      training: 'fast',
    });
    expect(problems).toEqual([
      '  - grid.resolution[0]: wrong type (got "28" (string); expected a number)',
      '  - grid.resolution[1]: wrong type (got 2.5 (fractional number); expected an integer)',
      '  - training: wrong type (got "fast" (string); expected a mapping (key: value))',
    ]);
  });

  it('missing fields and a spec that is not a mapping', () => {
    expect(problemsOf({ name: 'x', grid: { architecture: ['vgg11'] } })).toEqual([
      '  - dataset: missing (got nothing; expected a mapping (key: value))',
      '  - grid.resolution: missing (got nothing; expected a list)',
      '  - training: missing (got nothing; expected a mapping (key: value))',
    ]);
    expect(problemsOf(null)).toEqual([
      '  - (spec): wrong type (got null (null); expected a mapping (key: value))',
    ]);
  });

  it('empty grid lists and duplicate grid values', () => {
    expect(
      problemsOf({ ...example(), grid: { ...example().grid, seed: [], resolution: [14, 28, 14] } }),
    ).toEqual([
      '  - grid.resolution[2]: duplicate grid value (got 14; expected each value once (already at index 0))',
      '  - grid.seed: empty list (got 0 values; expected at least 1 value)',
    ]);
  });

  it('unknown architectures and out-of-range values', () => {
    const problems = problemsOf({
      ...example(),
      grid: { ...example().grid, architecture: ['resnet99'], resolution: [5000] },
      training: { epochs: 0, batchSize: 64 },
      saturation: { delta: 1 },
      retries: 50,
    });
    expect(problems).toEqual([
      '  - grid.architecture[0]: not an allowed value (got "resnet99"; expected one of "simple-cnn", "vgg11", "vgg13", "vgg16", "vgg19", "resnet18", "resnet34")',
      '  - grid.resolution[0]: too large (got 5000; expected at most 1024)',
      '  - training.epochs: too small (got 0; expected at least 1)',
      '  - saturation.delta: too large (got 1; expected less than 1)',
      '  - retries: too large (got 50; expected at most 20)',
    ]);
  });

  it(`more than ${MAX_TRIALS_PER_SWEEP} trials, with the arithmetic`, () => {
    const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    const problems = problemsOf({
      ...example(),
      grid: { architecture: ['vgg11', 'vgg13'], resolution: range(200), seed: range(30) },
    });
    expect(problems).toEqual([
      '  - grid: the grid expands to too many trials (12000 trials from 2 architecture × 200 resolution × 30 seed) (got 12000; expected at most 10000 trials per sweep; shorten a grid list or split the sweep)',
    ]);
  });

  it('names with control characters (C0 incl. NUL, DEL, C1), shown escaped', () => {
    expect(problemsOf({ ...example(), name: 'evil\u001b]0;pwned\u0007' })).toEqual([
      '  - name: control character \\x1b at position 4 (got "evil\\x1b]0;pwned\\x07"; expected printable text: ' +
        'letters, digits, spaces and punctuation, no control characters (C0 such as NUL, tab, newline, ESC or BEL; DEL; C1))',
    ]);
    for (const [name, character] of [
      ['a\u0000', '\\x00'],
      ['tab\there', '\\x09'],
      ['two\nlines', '\\x0a'],
      ['del\u007f', '\\x7f'],
      ['csi\u009b2J', '\\x9b'],
    ]) {
      expect(problemsOf({ ...example(), name })[0]).toContain(
        `name: control character ${character} at position`,
      );
    }
    // Everything else a person might type stays valid, Unicode included.
    for (const name of ['fashion-resolution', 'Résolution 2 (ε=0.99) — 画像', 'it\'s; -- "x"']) {
      expect(parseSweepSpec({ ...example(), name }).name).toBe(name);
    }
  });

  it('carries the zod issues and structured problems', () => {
    try {
      parseSweepSpec({ ...example(), retries: -1 });
      expect.unreachable();
    } catch (error) {
      const e = error as InvalidSpecError;
      expect(e.name).toBe('InvalidSpecError');
      expect(e.issues[0]?.path).toEqual(['retries']);
      expect(e.problems).toEqual([
        { path: 'retries', problem: 'too small', got: '-1', expected: 'at least 0' },
      ]);
      expect(e.message).toBe(
        'invalid sweep spec (1 problem):\n  - retries: too small (got -1; expected at least 0)',
      );
    }
  });
});
