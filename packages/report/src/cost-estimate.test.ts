import { describe, expect, it } from 'vitest';
import { cellsOf } from './cells.ts';
import { costEstimateSection, forwardMacs } from './cost-estimate.ts';
import { emptyInput, projection, trial, VARIANT } from './test-fixture.ts';

describe('forwardMacs', () => {
  it('counts conv and dense multiply-accumulates and nothing else', () => {
    const macs = forwardMacs(
      [
        { name: 'conv1', kind: 'conv', inputs: [], kernel: 3, width: 16, outputSize: 28 },
        { name: 'pool1', kind: 'pool', inputs: ['conv1'], kernel: 2, width: 16, outputSize: 14 },
        { name: 'conv2', kind: 'conv', inputs: ['pool1'], kernel: 3, width: 32, outputSize: 14 },
        { name: 'gap', kind: 'gap', inputs: ['conv2'], kernel: 1, width: 32, outputSize: 1 },
        { name: 'classifier', kind: 'dense', inputs: ['gap'], kernel: 1, width: 10, outputSize: 1 },
      ],
      1,
    );
    expect(macs).toBe(28 * 28 * 9 * 1 * 16 + 14 * 14 * 9 * 16 * 32 + 32 * 10);
  });
});

describe('costEstimateSection', () => {
  it('scales the measured seconds per MAC of the heaviest cell to another spec, and says so', () => {
    const trials = [1, 2, 3].map((s) => trial(28, s, 0.8, { seconds: 400, wallSeconds: 500 }));
    // Ten epochs of 40 s each, one of them 20 s (the machine was quiet then).
    const epochs = [1, 2, 3].flatMap((s) =>
      Array.from({ length: 10 }, (_, i) => ({
        ...VARIANT,
        trialId: `t${s}`,
        resolution: 28,
        seed: s,
        epoch: i + 1,
        trainAccuracy: 0.9,
        testAccuracy: 0.8,
        seconds: s === 2 && i === 4 ? 20 : 40,
        tailLength: 0,
      })),
    );
    const projections = [1, 2, 3].map((s) => projection(28, s, 0.8, 0.79, [0.1, 0.1, 0.1, 0.1, 0.1]));
    const input = emptyInput({
      trials,
      epochs,
      projections,
      cores: 2,
      compute: {
        trainImages: 1000,
        testImages: 1000,
        epochs: 10,
        macs: [{ ...VARIANT, resolution: 28, macsPerImage: 1e7 }],
      },
      estimate: {
        file: 'examples/big.yaml',
        dataset: 'cifar10',
        epochs: 20,
        trainImages: 2000,
        testImages: 1000,
        cells: [
          {
            architecture: 'vgg11',
            variant: 'widthMultiplier=1',
            resolution: 32,
            seeds: 3,
            macsPerImage: 1e8,
            projectionPasses: 12,
          },
        ],
      },
    });
    const md = costEstimateSection(input, cellsOf(input)).join('\n');
    // 40 s / (1e7 · (3·1000 + 1000)) = 1.0 s per 10⁹ MACs (fastest epoch: 0.5); 100 s / (1e7 · 1000 · 6 passes) = 1.67.
    expect(md).toContain(
      'took 40.0 s on average and 20.0 s at the fastest, i.e. 1.00 and 0.50 s per 10⁹ MACs',
    );
    expect(md).toContain(
      'its projection test took 1.67 s per 10⁹ MACs of passes over the test set (6 passes per trial',
    );
    // vgg11: 1e8 · 7000 · 20 · 1e-9 = 14,000 s = 3.9 h (half at the fastest); projection 1e8 · 1000 · 12 · 1.67e-9 = 0.6 h.
    expect(md).toContain('| vgg11 | widthMultiplier=1 | 32 | 3 | 0.10 G | 1.9–3.9 | 0.6 | 7.5–13.3 |');
    expect(md).toContain('In all 7.5–13.3 core-hours: 0 days to 0 days');
  });

  it('is left out without a spec to estimate', () => {
    expect(costEstimateSection(emptyInput(), [])).toEqual([]);
  });
});
