import { describe, expect, it } from 'vitest';
import { productivityFinding } from './findings.ts';
import { projectionFinding } from './projection-section.ts';
import { renderReport } from './render-report.ts';
import type { ReportInput } from './report-input.ts';

const base: ReportInput = {
  sweep: { id: 'abc', name: 'repro', createdAt: new Date(0), completedAt: new Date(600_000) },
  commands: ['satfarm report repro --out docs/r.md'],
  specText: 'name: repro\n',
  machine: '2 CPU cores',
  trials: [],
  summary: [],
  recommendations: [],
  projectionTests: [],
  projections: [
    {
      architecture: 'a',
      variant: 'v',
      resolution: 14,
      delta: 0.99,
      trials: 2,
      meanKeptShare: 0.7,
      meanTestAccuracy: 0.8,
      meanProjectedAccuracy: 0.795,
      meanRandomAccuracy: 0.3,
    },
    {
      architecture: 'a',
      variant: 'v',
      resolution: 28,
      delta: 0.99,
      trials: 2,
      meanKeptShare: 0.6,
      meanTestAccuracy: 0.82,
      meanProjectedAccuracy: 0.805,
      meanRandomAccuracy: 0.2,
    },
    {
      architecture: 'a',
      variant: 'v',
      resolution: 28,
      delta: 0.9,
      trials: 2,
      meanKeptShare: 0.3,
      meanTestAccuracy: 0.82,
      meanProjectedAccuracy: 0.5,
      meanRandomAccuracy: 0.1,
    },
  ],
  productivity: [
    {
      architecture: 'a',
      variant: 'v',
      resolution: 14,
      unproductive: false,
      layers: 4,
      meanEvalSaturation: 0.8,
    },
    {
      architecture: 'a',
      variant: 'v',
      resolution: 14,
      unproductive: true,
      layers: 2,
      meanEvalSaturation: 0.4,
    },
    {
      architecture: 'a',
      variant: 'v',
      resolution: 28,
      unproductive: false,
      layers: 6,
      meanEvalSaturation: 0.7,
    },
  ],
  layers: [],
  images: { sweep: 'r/sweep.svg', trials: [] },
};

describe('findings', () => {
  it('answers the projection question from the δ = 0.99 legacy rows when a sweep has only those', () => {
    const text = projectionFinding(base);
    // mean change (−0.5 − 1.5)/2 = −1.0 pts, worst −1.5 → beyond 1 point: "No"
    expect(text).toMatch(/^\*\*No\.\*\*/);
    expect(text).toContain('by −1.0 pts on average (worst −1.5 pts)');
    expect(text).toContain('changed it by −56.0 pts');
    const good = {
      ...base,
      projections: base.projections.map((p) => ({ ...p, meanProjectedAccuracy: p.meanTestAccuracy - 0.002 })),
    };
    expect(projectionFinding(good)).toMatch(/^\*\*Yes\.\*\*/);
  });

  it('compares unproductive and productive layers only where both exist', () => {
    const text = productivityFinding(base);
    expect(text).toMatch(/^\*\*Yes\.\*\* In 1 of 1 groups/);
    expect(text).toContain('40.0 % vs 80.0 %');
  });

  it('renders a report that names its regenerate command and pictures', () => {
    const md = renderReport(base);
    expect(md).toContain('satfarm report repro --out docs/r.md');
    expect(md).toContain(
      '![Test accuracy against resolution and layer × resolution saturation](r/sweep.svg)',
    );
    expect(md).toContain('10.0 min from creation to completion');
  });
});
