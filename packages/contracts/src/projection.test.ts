import { describe, expect, it } from 'vitest';
import { ProjectionTest, randomControl } from './epoch-result.ts';
import { expandSweep, InvalidSpecError, parseSweepSpec } from './sweep-spec.ts';
import { TrialConfig } from './trial-config.ts';

const trial = (projection: unknown) =>
  TrialConfig.safeParse({
    architecture: 'simple-cnn',
    resolution: 28,
    seed: 1,
    dataset: { name: 'synthetic' },
    training: { epochs: 1, batchSize: 8 },
    projection,
  });

const spec = (projection: unknown) => ({
  name: 'p',
  dataset: { name: 'synthetic' },
  grid: { architecture: ['simple-cnn'], resolution: [28] },
  training: { epochs: 1, batchSize: 8 },
  projection,
});

describe('projection settings', () => {
  it('default to the phd-lab way: fitted on the training data, logits left alone, each layer too, 5 draws', () => {
    expect(trial({}).data?.projection).toEqual({
      deltas: [0.9, 0.95, 0.99, 0.999],
      fit: 'train',
      includeClassifier: false,
      perLayer: true,
      randomDraws: 5,
    });
    // A sweep's trials carry them, so the trial id says how its projection test was run.
    const [config] = expandSweep(parseSweepSpec(spec({ fit: 'test', includeClassifier: true })));
    expect(config!.projection).toMatchObject({ fit: 'test', includeClassifier: true, perLayer: true });
  });

  it('name a bad field, its value and what is valid', () => {
    const problems = (projection: unknown) => {
      try {
        parseSweepSpec(spec(projection));
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidSpecError);
        return (error as InvalidSpecError).message.split('\n').slice(1);
      }
      throw new Error('expected the spec to be refused');
    };
    expect(problems({ fit: 'validation' })).toEqual([
      '  - projection.fit: not an allowed value (got "validation"; expected one of "train", "test")',
    ]);
    expect(problems({ randomDraws: 0, deltas: [0.9, 0.99, 0.9] })).toEqual([
      '  - projection.deltas[2]: duplicate δ (got 0.9; expected each δ once (already at index 0))',
      '  - projection.randomDraws: too small (got 0; expected at least 1)',
    ]);
    expect(problems({ includeClassifier: 'yes' })).toEqual([
      '  - projection.includeClassifier: wrong type (got "yes" (string); expected a boolean)',
    ]);
  });
});

describe('ProjectionTest', () => {
  const test = {
    fit: 'train',
    includesClassifier: false,
    randomDraws: 2,
    seconds: 1,
    layers: [{ name: 'conv1', index: 0, width: 8 }],
    rows: [{ delta: 0.9, layer: 'conv1', k: 3, width: 8, accuracy: 0.9, randomAccuracies: [0.5, 0.6] }],
  };

  it('accepts rows of its own layers with one accuracy per draw', () => {
    expect(ProjectionTest.safeParse(test).success).toBe(true);
  });

  it('refuses rows that do not fit the test', () => {
    const bad = (row: Record<string, unknown>) => {
      const result = ProjectionTest.safeParse({ ...test, rows: [{ ...test.rows[0], ...row }] });
      return result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(bad({ layer: 'classifier' })).toEqual([
      'rows.0.layer: layer "classifier" is not among the projected layers (conv1)',
    ]);
    expect(bad({ randomAccuracies: [0.5] })).toEqual([
      'rows.0.randomAccuracies: got 1 random draws, expected randomDraws = 2',
    ]);
    expect(bad({ k: 9 })).toEqual(['rows.0.k: k 9 exceeds the width 8']);
  });
});

describe('randomControl', () => {
  it('is the mean and sample standard deviation of the draws', () => {
    const { mean, std } = randomControl([0.2, 0.4, 0.6]);
    expect(mean).toBeCloseTo(0.4, 12);
    expect(std).toBeCloseTo(0.2, 12);
    expect(randomControl([0.3])).toEqual({ mean: 0.3, std: null });
  });
});
