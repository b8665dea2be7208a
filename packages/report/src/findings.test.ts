import { describe, expect, it } from 'vitest';
import { cellsOf } from './cells.ts';
import { productivityFinding, resolutionFinding } from './findings.ts';
import { layerFlips } from './layers.ts';
import { renderReport } from './render-report.ts';
import type { ReportRecommendation } from './report-input.ts';
import { curve, emptyInput, layer, trial } from './test-fixture.ts';

/**
 * conv5 predicted unproductive at 10 and 14 px, productive at 20 px; conv1 productive everywhere (the
 * control). `bad` and `good` are conv5's eval saturation per seed on each side.
 */
function flipInput(bad: { 10: number[]; 14: number[] }, good: number[], control = [0.4, 0.42, 0.41]) {
  const layers = [
    ...[10, 14].flatMap((r) =>
      bad[r as 10 | 14].flatMap((s, i) => [
        layer(r, i + 1, 'conv5', s, true),
        layer(r, i + 1, 'conv1', control[i]!, false),
      ]),
    ),
    ...good.flatMap((s, i) => [
      layer(20, i + 1, 'conv5', s, false),
      layer(20, i + 1, 'conv1', control[i]!, false),
    ]),
  ];
  return emptyInput({ layers });
}

describe('(b): the same layer where predicted unproductive against where predicted productive', () => {
  it('reports a difference inside the spread over seeds as within noise, and does not answer yes', () => {
    // Unproductive side 0.70–0.85, productive side 0.72–0.82: means 0.775 vs 0.773.
    const input = flipInput({ 10: [0.8, 0.7, 0.85], 14: [0.75, 0.78, 0.77] }, [0.82, 0.72, 0.78]);
    const [flip] = layerFlips(input);
    expect(flip).toMatchObject({ layerName: 'conv5', unproductiveAt: [10, 14], productiveAt: [20] });
    expect(flip?.difference.beyondNoise).toBe(false);
    const text = productivityFinding(input);
    expect(text).toMatch(/^\*\*Not shown\.\*\* Of 1 conv layer predicted unproductive/);
    expect(text).toContain('within noise');
    expect(text).not.toContain('beyond noise)');
    expect(text).toContain('at 10, 14 px vs');
    expect(text).toContain('(n = 6)');
  });

  it('says yes only when every such layer is less saturated where predicted unproductive beyond noise', () => {
    const input = flipInput({ 10: [0.5, 0.52, 0.51], 14: [0.55, 0.53, 0.54] }, [0.8, 0.81, 0.79]);
    const text = productivityFinding(input);
    expect(text).toMatch(/^\*\*Yes\.\*\* Of 1 conv layer/);
    expect(text).toContain(
      '1 was less saturated (eval, last epoch) where predicted unproductive, 1 of them beyond noise',
    );
    expect(text).toContain('52.5 ± 1.9 % (n = 6) at 10, 14 px vs 80.0 ± 1.0 % (n = 3) at 20 px, −27.5 pts');
    // The nearest pair of resolutions alone: 14 vs 20 px.
    expect(text).toContain('conv5: 14 vs 20 px −26.0 pts');
  });

  it('calls a layer more saturated where predicted unproductive a counter-example, and takes out what all layers share', () => {
    // conv5 higher where unproductive, but so is the control layer by more: relatively lower.
    const input = flipInput(
      { 10: [0.8, 0.81, 0.79], 14: [0.8, 0.8, 0.8] },
      [0.6, 0.61, 0.59],
      [0.6, 0.6, 0.6],
    );
    // Shift the control layer up at 10 and 14 px only.
    for (const l of input.layers) if (l.layerName === 'conv1' && l.resolution < 20) l.evalSaturation = 0.95;
    const text = productivityFinding(input);
    expect(text).toMatch(/^\*\*No\.\*\*/);
    expect(text).toContain('1 were more saturated there, beyond noise'.replace('were', 'was'));
    expect(text).toContain(
      '1 of 1 is relatively less saturated where predicted unproductive, 1 beyond noise',
    );
  });

  it('does not count a difference smaller than one step of k / width as beyond noise, however alike the seeds', () => {
    // Width 64: one direction is 1.56 points. 0.5 vs 0.49, every seed alike: a spread of 0, a step of 1.
    const input = flipInput({ 10: [0.5, 0.5, 0.5], 14: [0.5, 0.5, 0.5] }, [0.51, 0.51, 0.51]);
    expect(layerFlips(input)[0]?.difference).toMatchObject({
      se: 0,
      beyondNoise: false,
      shortOfStep: 1 / 64,
    });
    expect(productivityFinding(input)).toContain(
      '−1.0 pts (2 SE 0.0, under one step of k / width (1.6), within noise)',
    );
    const wide = flipInput({ 10: [0.5, 0.5, 0.5], 14: [0.5, 0.5, 0.5] }, [0.52, 0.52, 0.52]);
    expect(layerFlips(wide)[0]?.difference.beyondNoise).toBe(true);
  });

  it('says when no layer changes its prediction across the tried resolutions', () => {
    const input = emptyInput({
      layers: [layer(28, 1, 'conv1', 0.5, false), layer(14, 1, 'conv1', 0.4, false)],
    });
    expect(productivityFinding(input)).toMatch(/cannot be checked layer by layer/);
  });
});

const recommendation: ReportRecommendation = {
  architecture: 'simple-cnn',
  variant: 'widthMultiplier=1,depth=7',
  resolution: 28,
  meanTestAccuracy: 0.85,
  cheapestResolution: 28,
  cheapestMeanTestAccuracy: 0.85,
  tolerance: 0.005,
  rfPredictedResolution: 37,
  rfPredictedTriedResolution: 28,
  tailLengths: [],
  agree: true,
  sql: { statement: 'SELECT * FROM recommend_resolution($1, $2)', parameters: ['abc', 0.005] },
};

describe('(c): resolution and depth against the spread over seeds', () => {
  it('names the resolutions within noise of the best and does not let the recommendation claim more', () => {
    const trials = [
      ...[0.79, 0.85, 0.82].map((a, i) => trial(14, i + 1, a)), // 82.0 ± 3.0
      ...[0.84, 0.86, 0.85].map((a, i) => trial(28, i + 1, a)), // 85.0 ± 1.0: within noise of 14 px
      ...[0.7, 0.71, 0.72].map((a, i) => trial(10, i + 1, a)), // 71.0 ± 1.0: beyond noise below
    ];
    const input = emptyInput({ trials, recommendations: [recommendation] });
    const text = resolutionFinding(input, cellsOf(input));
    expect(text).toContain('10 px 71.0 ± 1.0 % (saturation –, tail –); 14 px 82.0 ± 3.0 %');
    expect(text).toContain(
      'Best mean accuracy at 28 px; against it, 10 px −14.0 pts (2 SE 1.6, beyond noise), 14 px −3.0 pts (2 SE 3.7, within noise): 14 px is within noise of it, 10 px below it beyond noise.',
    );
    expect(text).toContain('satfarm recommends **28 px**');
    expect(text).toContain(
      'the smallest resolution within noise of the best is 14 px, so the data do not single out the recommendation',
    );
    expect(text).toContain('at 37 px, above every resolution tried (largest 28 px)');
  });

  it('compares depths at equal resolution', () => {
    const shallow = 'widthMultiplier=1,depth=3';
    const trials = [
      ...[0.8, 0.81, 0.79].map((a, i) => trial(28, i + 1, a)),
      ...[0.7, 0.71, 0.69].map((a, i) => trial(28, i + 1, a, { variant: shallow })),
    ];
    const input = emptyInput({ trials });
    expect(resolutionFinding(input, cellsOf(input))).toContain(
      '**widthMultiplier=1,depth=7 against widthMultiplier=1,depth=3** (simple-cnn, test accuracy at equal resolution): 28 px +10.0 pts (2 SE 1.6, beyond noise). Beyond noise at 1 of 1 resolutions.',
    );
  });
});

describe('renderReport', () => {
  it('names its regenerate command, compute, the noise rule and pictures, with n and spreads in the tables', () => {
    const trials = [0.8, 0.84, 0.82].map((a, i) => trial(28, i + 1, a));
    const epochs = [1, 2, 3].flatMap((s) => curve(28, s, [0.6, 0.7, 0.8, 0.8 + s / 100]));
    const md = renderReport(emptyInput({ trials, epochs }));
    expect(md).toContain('satfarm report repro --out docs/r.md');
    expect(md).toContain(
      '![Test accuracy against resolution and layer × resolution saturation](r/sweep.svg)',
    );
    expect(md).toContain(
      '3 of 3 trials completed (3 seeds per cell) on 2 CPU cores, backend wasm: 5.0 min of training and evaluation summed over trials, 6.0 min of trainer time',
    );
    expect(md).toContain('10.0 min from creation to completion');
    expect(md).toContain('exceeds 2 standard errors');
    expect(md).toContain('| simple-cnn | widthMultiplier=1,depth=7 | 28 | 3 | 82.00 ± 2.00 % |');
    expect(md).toContain('## Convergence');
  });
});
