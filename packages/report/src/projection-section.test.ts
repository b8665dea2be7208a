import { describe, expect, it } from 'vitest';
import { projectionFinding, projectionSection } from './projection-section.ts';
import { renderReport } from './render-report.ts';
import type { ReportProjection } from './report-input.ts';
import { emptyInput, projection } from './test-fixture.ts';

const draws = (center: number) => [center - 0.1, center - 0.05, center, center + 0.05, center + 0.1];

/** Two cells (14 and 28 px), three seeds each; all layers together and conv1/conv7 alone. */
function rows(change14: number[], change28: number[]): ReportProjection[] {
  const tests = [0.8, 0.82, 0.78];
  return [
    ...tests.map((t, i) => projection(14, i + 1, t, t + change14[i]!, draws(0.2))),
    ...tests.map((t, i) => projection(28, i + 1, t, t + change28[i]!, draws(0.3))),
    ...tests.map((t, i) =>
      projection(28, i + 1, t, t + [0.003, -0.004, -0.005][i]!, draws(0.5), {
        scope: 'layer',
        layerName: 'conv1',
        layerIndex: 0,
        k: 7,
        width: 16,
      }),
    ),
    ...tests.map((t, i) =>
      projection(28, i + 1, t, t - 0.03 - 0.001 * i, draws(0.7), {
        scope: 'layer',
        layerName: 'conv7',
        layerIndex: 6,
      }),
    ),
    ...tests.map((t, i) =>
      projection(28, i + 1, t, t - 0.2, draws(0.1), {
        scope: 'layer',
        layerName: 'conv2',
        layerIndex: 1,
        delta: 0.9,
      }),
    ),
  ];
}

describe('projectionFinding', () => {
  it('answers from the all-layer rows at δ = 0.99 with spreads over seeds and draws, and the costliest layer alone', () => {
    const input = emptyInput({ projections: rows([-0.004, -0.006, -0.005], [-0.02, -0.021, -0.019]) });
    const text = projectionFinding(input);
    // 28 px loses 2.0 ± 0.1 points: beyond 1 point, beyond noise.
    expect(text).toMatch(
      /^\*\*Partly\.\*\* Projecting every tracked layer but the classifier, the eigenspace fitted on the training data/,
    );
    expect(text).toContain(
      'changed test accuracy by −2.0 pts to −0.5 pts per (architecture, resolution) cell',
    );
    expect(text).toContain(
      '1 of 2 cells stays within the ~1 point the paper reports, 1 loses more than 1 point beyond noise',
    );
    expect(text).toContain('the loss is beyond noise of zero in 2 of 2');
    expect(text).toContain(
      'mean over 5 draws per trial, then over seeds; single draws 10.0 % to 40.0 % accuracy',
    );
    expect(text).toContain('typical spread between draws ±7.9 pts');
    expect(text).toContain('the eigenspace beat the random control beyond noise in 2 of 2 cells');
    expect(text).toContain(
      'the costliest was conv7 (simple-cnn (widthMultiplier=1,depth=7) at 28 px: −3.1 pts (2 SE 0.1, beyond noise))',
    );
  });

  it('says yes when every cell stays within a point, and "within noise" when the excess is inside the seeds’ spread', () => {
    const good = emptyInput({ projections: rows([-0.004, -0.006, -0.005], [-0.002, -0.003, 0.001]) });
    expect(projectionFinding(good)).toMatch(/^\*\*Yes\.\*\*/);
    // Mean −1.3 points but ±2.1 between seeds: more than a point lost, within noise of it.
    const noisy = emptyInput({ projections: rows([-0.004, -0.006, -0.005], [0.01, -0.03, -0.02]) });
    const text = projectionFinding(noisy);
    expect(text).toMatch(/^\*\*Yes, within noise\.\*\*/);
    expect(text).toContain('1 loses more than 1 point but within noise of it');
    expect(text).toContain('the loss is beyond noise of zero in 1 of 2');
  });

  it('falls back to legacy rows, saying they carry no spread', () => {
    const legacy = {
      architecture: 'a',
      variant: 'v',
      resolution: 14,
      delta: 0.99,
      trials: 2,
      meanKeptShare: 0.7,
      meanTestAccuracy: 0.8,
      meanProjectedAccuracy: 0.795,
      meanRandomAccuracy: 0.3,
    };
    const text = projectionFinding(emptyInput({ legacyProjections: [legacy] }));
    expect(text).toMatch(/^\*\*Yes\.\*\*/);
    expect(text).toContain('no spread over seeds to judge them by');
  });
});

describe('projectionSection', () => {
  it('tables all layers together and each layer alone at δ = 0.99 with n, spreads and verdicts', () => {
    const input = emptyInput({
      projections: rows([-0.004, -0.006, -0.005], [-0.02, -0.021, -0.019]),
      images: { sweep: 'r/sweep.svg', trials: [], projection: 'r/projection.svg' },
    });
    const md = projectionSection(input).join('\n');
    expect(md).toContain('![Projection test](r/projection.svg)');
    expect(md).toContain(
      '| simple-cnn | widthMultiplier=1,depth=7 | 28 | 0.99 | 3 | 70.0 % | 80.0 ± 2.0 % | −2.0 pts ± 0.1 (beyond noise) | −50.0 pts ± 2.0 | ±7.9 pts (5 draws) | 20.0 % – 40.0 % | +48.0 pts (2 SE 2.2, beyond noise) |',
    );
    expect(md).toContain('### Each layer alone at δ = 0.99');
    expect(md).toContain(
      '| simple-cnn | widthMultiplier=1,depth=7 | 28 | conv1 | 3 | 43.8 % | −0.2 pts ± 0.4 (within noise) | −30.0 pts ± 2.0 | ±7.9 pts |',
    );
    expect(md).not.toContain('| conv2 |'); // δ = 0.9: in SQL, not in the report
    expect(md).toContain("SELECT * FROM projection_results_summary WHERE sweep_id = 'abc'");
    expect(md).not.toContain('Legacy');
    expect(renderReport(input)).toContain('## Projection test');
  });

  it('says when there is nothing', () => {
    expect(projectionSection(emptyInput()).join('\n')).toContain(
      'No projection results are stored for this sweep.',
    );
  });
});
