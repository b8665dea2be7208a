import { describe, expect, it } from 'vitest';
import { projectionFinding, projectionSection } from './projection-section.ts';
import { renderReport } from './render-report.ts';
import type { ProjectionTestRow, ReportInput } from './report-input.ts';

function row(over: Partial<ProjectionTestRow>): ProjectionTestRow {
  return {
    architecture: 'simple-cnn',
    variant: 'widthMultiplier=1,depth=7',
    resolution: 28,
    fit: 'train',
    includesClassifier: false,
    scope: 'all',
    layerName: null,
    layerIndex: null,
    delta: 0.99,
    trials: 2,
    meanKeptShare: 0.8,
    meanTestAccuracy: 0.8,
    meanProjectedAccuracy: 0.795,
    stdProjectedAccuracy: 0.004,
    meanRandomAccuracy: 0.3,
    meanRandomAccuracyStd: 0.1,
    minRandomAccuracy: 0.15,
    maxRandomAccuracy: 0.55,
    ...over,
  };
}

const tests = [
  row({}),
  row({ resolution: 14, meanProjectedAccuracy: 0.785 }),
  row({ delta: 0.9, meanProjectedAccuracy: 0.5, meanKeptShare: 0.4 }),
  row({ scope: 'layer', layerName: 'conv1', layerIndex: 0, meanProjectedAccuracy: 0.799 }),
  row({ scope: 'layer', layerName: 'conv7', layerIndex: 6, meanProjectedAccuracy: 0.77 }),
  row({ scope: 'layer', layerName: 'conv2', layerIndex: 1, delta: 0.9, meanProjectedAccuracy: 0.6 }),
];

const input: ReportInput = {
  sweep: { id: 'abc', name: 'repro', createdAt: new Date(0), completedAt: new Date(600_000) },
  commands: [],
  specText: '',
  machine: '2 CPU cores',
  trials: [],
  summary: [],
  recommendations: [],
  projectionTests: tests,
  projections: [],
  productivity: [],
  layers: [],
  images: { sweep: 'r/sweep.svg', trials: [], projection: 'r/projection.svg' },
};

describe('projectionFinding', () => {
  it('answers from the all-layer rows at δ = 0.99, with the control’s spread and the costliest single layer', () => {
    const text = projectionFinding(input);
    // changes −0.5 and −1.5 points: the worst is beyond 1 point
    expect(text).toMatch(/^\*\*No\.\*\* Over 2 \(architecture, resolution\) groups/);
    expect(text).toContain('every tracked layer but the classifier, fitted on the training data');
    expect(text).toContain('by −1.0 pts on average (worst −1.5 pts)');
    expect(text).toContain('changed it by −50.0 pts on average (single draws from −65.0 pts to −25.0 pts');
    expect(text).toContain('typical spread between draws ±10.0 pts');
    expect(text).toContain(
      'the costliest layer was conv7 (simple-cnn (widthMultiplier=1,depth=7) at 28 px: −3.0 pts)',
    );
    const good = { ...input, projectionTests: tests.map((t) => ({ ...t, meanProjectedAccuracy: 0.798 })) };
    expect(projectionFinding(good)).toMatch(/^\*\*Yes\.\*\*/);
  });
});

describe('projectionSection', () => {
  it('shows the picture, all layers at every δ and each layer alone at δ = 0.99, and where the rest is', () => {
    const md = projectionSection(input).join('\n');
    expect(md).toContain('![Projection test](r/projection.svg)');
    expect(md).toContain(
      '| simple-cnn | widthMultiplier=1,depth=7 | 28 | 0.9 | 40.0 % | 80.0 % | 50.0 % (−30.0 pts) | 30.0 % ± 10.0 (−50.0 pts) | 15.0 % – 55.0 % |',
    );
    expect(md).toContain('### Each layer alone at δ = 0.99');
    expect(md).toContain(
      '| simple-cnn | widthMultiplier=1,depth=7 | 28 | conv7 | 80.0 % | 77.0 % (−3.0 pts) |',
    );
    expect(md).not.toContain('| conv2 |'); // δ = 0.9: in SQL, not in the report
    expect(md).toContain("SELECT * FROM projection_results_summary WHERE sweep_id = 'abc'");
    expect(md).not.toContain('Legacy');
  });

  it('shows legacy rows beside new ones, and says when there is nothing', () => {
    const legacy = {
      architecture: 'a',
      variant: 'v',
      resolution: 14,
      delta: 0.99,
      trials: 2,
      meanKeptShare: 0.7,
      meanTestAccuracy: 0.8,
      meanProjectedAccuracy: 0.79,
      meanRandomAccuracy: 0.3,
    };
    expect(projectionSection({ ...input, projections: [legacy] }).join('\n')).toContain('### Legacy rows');
    expect(projectionSection({ ...input, projectionTests: [] }).join('\n')).toContain(
      'No projection results are stored for this sweep.',
    );
    expect(renderReport(input)).toContain('## Projection test');
  });
});
