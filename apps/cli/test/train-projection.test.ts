import { describe, expect, it } from 'vitest';
import { runCli, smallTrainArgs } from './run-cli.ts';

const TRAIN = smallTrainArgs(1);

describe('satfarm train --projection', () => {
  it('prints the projection test the phd-lab way: each layer alone and all together, classifier left alone', async () => {
    const run = await runCli([...TRAIN, '--projection', '--projection-draws', '2']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'projection test: eigenspaces fitted on the training data, the classifier left alone; random control: mean ± std and range over 2 draws',
    );
    const rows = run.stdout
      .split('\n')
      .filter((line) => /^(all layers|conv\d|classifier) +0\.9 /.test(line))
      .map((line) => line.split(/ {2,}/)[0]);
    expect(rows).toEqual(['all layers', 'conv1', 'conv2', 'conv3']);
    expect(run.stdout).toMatch(/unprojected test accuracy \d+\.\d%; Δ in points/);
  });

  it('runs satfarm’s first way on request, in JSON', async () => {
    const run = await runCli([
      ...TRAIN,
      '--projection-fit',
      'test',
      '--projection-classifier',
      '--no-projection-per-layer',
      '--projection-deltas',
      '0.9,0.99',
      '--projection-draws',
      '1',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const last = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(last.projectionTest).toMatchObject({ fit: 'test', includesClassifier: true, randomDraws: 1 });
    expect(last.projectionTest.layers.at(-1).name).toBe('classifier');
    expect(
      last.projectionTest.rows.map((r: { delta: number; layer: string | null }) => [r.delta, r.layer]),
    ).toEqual([
      [0.9, null],
      [0.99, null],
    ]);
  });

  it.each([
    [['--projection-fit', 'validation'], /--projection-fit: got "validation"/],
    [
      ['--projection-deltas', '0.9,1.2'],
      /--projection-deltas: got 1.2; expected numbers strictly between 0 and 1/,
    ],
    [
      ['--projection-deltas', '0.9,0.9'],
      /--projection-deltas: got "0.9,0.9"; expected at most 16 different values/,
    ],
    [['--projection-draws', '0'], /--projection-draws: got 0/],
  ])('refuses %j with one line naming the flag', async (args, message) => {
    const run = await runCli([...TRAIN, ...args, '--json']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  });
});
