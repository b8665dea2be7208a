import { describe, expect, it } from 'vitest';
import { byClass, parseSvg, visibleText } from './parse-svg-for-tests.ts';
import { projectionSvg } from './projection-plot.ts';
import type { ProjectionPoint } from './types.ts';

function point(over: Partial<ProjectionPoint>): ProjectionPoint {
  return {
    architecture: 'simple-cnn',
    variant: 'widthMultiplier=1,depth=3',
    resolution: 28,
    fit: 'train',
    includesClassifier: false,
    scope: 'all',
    layerName: null,
    layerIndex: null,
    delta: 0.9,
    trials: 2,
    meanKeptShare: 0.4,
    meanTestAccuracy: 0.8,
    meanProjectedAccuracy: 0.6,
    stdProjectedAccuracy: 0.01,
    meanRandomAccuracy: 0.2,
    meanRandomAccuracyStd: 0.05,
    minRandomAccuracy: 0.1,
    maxRandomAccuracy: 0.3,
    ...over,
  };
}

const deltas = [0.9, 0.95, 0.99, 0.999];
const points = [28, 56].flatMap((resolution) =>
  deltas.flatMap((delta, d) => [
    point({ resolution, delta, meanProjectedAccuracy: 0.6 + d * 0.06, meanRandomAccuracy: 0.2 + d * 0.1 }),
    ...['conv1', 'conv2', 'conv3'].map((layerName, layerIndex) =>
      point({
        resolution,
        delta,
        scope: 'layer',
        layerName,
        layerIndex,
        meanProjectedAccuracy: 0.79 - layerIndex / 100,
      }),
    ),
  ]),
);

describe('projectionSvg', () => {
  it('draws one row per resolution: all layers against δ, and each layer alone at δ = 0.99', () => {
    const root = parseSvg(projectionSvg({ title: 'demo', points }));
    const rows = byClass(root, 'g', 'projection-group');
    expect(rows.map((r) => r.getAttribute('data-group'))).toEqual([
      'simple-cnn (widthMultiplier=1,depth=3) at 28 px',
      'simple-cnn (widthMultiplier=1,depth=3) at 56 px',
    ]);
    const [allLayers] = byClass(rows[0]!, 'g', 'panel', 'all-layers');
    const dots = byClass(allLayers!, 'g', 'point');
    expect(dots.map((d) => d.getAttribute('data-delta'))).toEqual(deltas.map(String));
    expect(dots.map((d) => Number(d.getAttribute('data-random')))).toEqual(
      deltas.map((_, d) => 0.2 + d * 0.1),
    );
    // The control's spread: a min–max bar and ±std ticks per point.
    expect(byClass(allLayers!, 'line', 'random-range')).toHaveLength(4);
    expect(byClass(allLayers!, 'line', 'random-std')).toHaveLength(8);
    const [perLayer] = byClass(rows[0]!, 'g', 'panel', 'per-layer');
    const layers = byClass(perLayer!, 'g', 'point');
    expect(layers.map((d) => d.getAttribute('data-layer'))).toEqual(['conv1', 'conv2', 'conv3']);
    expect(layers.every((d) => d.getAttribute('data-delta') === '0.99')).toBe(true);
    const words = visibleText(root);
    expect(words).toContain('each layer alone at δ = 0.99');
    expect(words).toContain('fitted on the training data, classifier left alone');
    expect(words).toContain('unprojected 80.0%');
  });

  it('takes the per-layer δ asked for, leaves out the ±std of a single draw, and says when nothing is stored', () => {
    const single = points.map((p) => ({ ...p, meanRandomAccuracyStd: null }));
    const root = parseSvg(projectionSvg({ title: 'x', points: single, layerDelta: 0.9 }));
    const [perLayer] = byClass(root, 'g', 'panel', 'per-layer');
    expect(byClass(perLayer!, 'g', 'point').every((d) => d.getAttribute('data-delta') === '0.9')).toBe(true);
    expect(byClass(root, 'line', 'random-std')).toHaveLength(0);
    expect(visibleText(parseSvg(projectionSvg({ title: 'empty', points: [] })))).toContain(
      'no projection results stored',
    );
  });

  it('escapes names from the database', () => {
    const svg = projectionSvg({ title: '<b>&', points: [point({ variant: '"x"<y>' })] });
    expect(() => parseSvg(svg)).not.toThrow();
    expect(svg).not.toContain('<b>');
  });
});
