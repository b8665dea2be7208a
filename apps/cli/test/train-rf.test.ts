import { describe, expect, it } from 'vitest';
import { runCli, smallTrainArgs } from './run-cli.ts';

describe('satfarm rf', () => {
  it('lists receptive fields and predicted unproductive layers of vgg16 at 32 px', async () => {
    const run = await runCli(['rf', '--arch', 'vgg16', '--resolution', '32', '--json']);
    expect(run.code).toBe(0);
    const { layers } = JSON.parse(run.stdout) as {
      layers: {
        name: string;
        kind: string;
        receptiveField: number;
        unproductive: boolean;
        prediction: string;
      }[];
    };
    const convs = layers.filter((l) => l.kind === 'conv');
    expect(convs.map((l) => l.receptiveField)).toEqual([3, 5, 10, 14, 24, 32, 40, 60, 76, 92, 132, 164, 196]);
    expect(convs.map((l) => l.unproductive)).toEqual([...Array(6).fill(false), ...Array(7).fill(true)]);
    expect(layers.filter((l) => l.kind === 'pool')).toHaveLength(5);
    // The classifier sees its whole input by construction: no border-layer verdict for it.
    const dense = layers.filter((l) => l.kind === 'dense');
    expect(dense.length).toBeGreaterThan(0);
    expect(dense.map((l) => [l.prediction, l.unproductive])).toEqual(dense.map(() => ['not a conv', false]));
    expect(convs.map((l) => l.prediction)).toEqual([
      ...Array(6).fill('productive'),
      ...Array(7).fill('unproductive'),
    ]);
  });
});

describe('satfarm train', () => {
  it('prints one JSON object per epoch with saturation per layer and mode', async () => {
    const run = await runCli([...smallTrainArgs(2), '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.epoch)).toEqual([1, 2]);
    for (const epoch of lines) {
      expect(epoch.backend).toBe('wasm');
      expect(epoch.layers.length).toBeGreaterThan(0);
      for (const layer of epoch.layers) {
        expect(Object.keys(layer)).toEqual(
          expect.arrayContaining(['name', 'kind', 'width', 'receptiveField', 'train', 'eval']),
        );
        expect(layer.train.saturation).toBeGreaterThanOrEqual(0);
        expect(layer.eval.saturation).toBeLessThanOrEqual(1);
      }
    }
  });

  it.each([
    [['--arch', 'alexnet', '--resolution', '32'], /--arch: got "alexnet"/],
    [['--arch', 'vgg11', '--resolution', '16'], /smallest valid resolution is 32/],
    [['--arch', 'simple-cnn', '--resolution', '28', '--epochs', '-1'], /--epochs: got -1/],
    [
      ['--arch', 'simple-cnn', '--resolution', '28', '--epochs', 'two'],
      /--epochs: got "two"; expected a number/,
    ],
    [['--arch', 'simple-cnn', '--resolution', '28', '--backend', 'tpu'], /--backend: got "tpu"/],
    [['--arch', 'simple-cnn', '--resolution', '28', '--dataset', 'imagenet'], /--dataset: got "imagenet"/],
  ])('refuses %j with one line naming the field', async (args, message) => {
    const run = await runCli(['train', ...args, '--json']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  });

  it('names the dataset directory when Fashion-MNIST is missing', async () => {
    const run = await runCli(
      ['train', '--arch', 'simple-cnn', '--resolution', '28', '--limit', '64', '--json'],
      {
        FASHION_MNIST_DIR: '/nonexistent/fmnist',
      },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/\/nonexistent\/fmnist/);
  });
});
