import { describe, expect, it } from 'vitest';
import { byClass, parseSvg, visibleText } from './parse-svg-for-tests.ts';
import { sweepSvg } from './sweep-plot.ts';
import type { LayerResolutionCell, ResolutionPoint, SweepPlotInput } from './types.ts';

const RESOLUTIONS = [14, 28, 56];
const ARCHITECTURES = { 'simple-cnn': 4, vgg11: 6 } as const;

function input(): SweepPlotInput {
  const summary: ResolutionPoint[] = [];
  const layers: LayerResolutionCell[] = [];
  for (const [architecture, layerCount] of Object.entries(ARCHITECTURES)) {
    RESOLUTIONS.forEach((resolution, r) => {
      summary.push({
        architecture,
        variant: 'widthMultiplier=1',
        resolution,
        completed: 3,
        meanTestAccuracy: 0.7 + 0.05 * r,
        std: r === 0 ? null : 0.01,
      });
      for (let i = 0; i < layerCount; i++) {
        layers.push({
          architecture,
          variant: 'widthMultiplier=1',
          resolution,
          layerIndex: i,
          layerName: i === 0 ? `in<"put"> & 'x'` : `layer${i}`,
          kind: 'conv',
          width: 16,
          receptiveField: 5 * (i + 1),
          unproductive: 5 * (i + 1) >= resolution,
          meanEvalSaturation: Math.max(0, 0.9 - 0.1 * i + 0.05 * r),
          meanTrainSaturation: 0.5,
        });
      }
    });
  }
  return {
    sweepId: '0123456789abcdef0123456789abcdef',
    name: `<script>"sweep"</script> & 'co'`,
    summary,
    recommendations: [
      {
        architecture: 'simple-cnn',
        variant: 'widthMultiplier=1',
        resolution: 56,
        meanTestAccuracy: 0.8,
        std: 0.01,
      },
      {
        architecture: 'vgg11',
        variant: 'widthMultiplier=1',
        resolution: 28,
        meanTestAccuracy: 0.75,
        std: 0.01,
      },
    ],
    layers,
  };
}

describe('sweepSvg', () => {
  it('is valid SVG with a layer × resolution heatmap per architecture', () => {
    const root = parseSvg(sweepSvg(input()));
    const blocks = byClass(root, 'g', 'architecture-block');
    expect(blocks.map((b) => b.getAttribute('data-architecture'))).toEqual(['simple-cnn', 'vgg11']);
    for (const block of blocks) {
      const layerCount = ARCHITECTURES[block.getAttribute('data-architecture') as keyof typeof ARCHITECTURES];
      const cells = byClass(block, 'g', 'cell');
      expect(cells).toHaveLength(layerCount * RESOLUTIONS.length);
      // Rows in forward order, columns by resolution.
      expect(cells.slice(0, 3).map((c) => c.getAttribute('data-resolution'))).toEqual(['14', '28', '56']);
      expect(cells.map((c) => c.getAttribute('data-layer')).filter((_, i) => i % 3 === 0)).toEqual(
        Array.from({ length: layerCount }, (_, i) => String(i)),
      );
      const marked = cells.filter((c) => c.getAttribute('data-unproductive') === 'true');
      expect(byClass(block, 'path', 'unproductive-marker')).toHaveLength(marked.length);
    }
    // simple-cnn at 14 px: receptive fields 5, 10, 15, 20 → layers 2 and 3 are unproductive.
    const simple = blocks[0]!;
    const unproductive14 = byClass(simple, 'g', 'cell').filter(
      (c) => c.getAttribute('data-resolution') === '14' && c.getAttribute('data-unproductive') === 'true',
    );
    expect(unproductive14.map((c) => c.getAttribute('data-layer'))).toEqual(['2', '3']);
  });

  it('plots mean accuracy per resolution and rings the recommended one', () => {
    const root = parseSvg(sweepSvg(input()));
    const [simple, vgg] = byClass(root, 'g', 'architecture-block');
    expect(byClass(simple!, 'g', 'point').map((p) => p.getAttribute('data-resolution'))).toEqual([
      '14',
      '28',
      '56',
    ]);
    const ringed = (block: typeof simple) =>
      byClass(block!, 'g', 'point')
        .filter((p) => byClass(p, 'circle', 'recommended-marker').length === 1)
        .map((p) => p.getAttribute('data-resolution'));
    expect(ringed(simple)).toEqual(['56']);
    expect(ringed(vgg)).toEqual(['28']);
    expect(byClass(vgg!, 'text', 'recommended')[0]!.textContent).toContain('28 px · 75.0% ± 1.0');
    // Error bars only where there is a std (two or more seeds): two of three points per architecture.
    expect(byClass(simple!, 'g', 'point').map((p) => p.getElementsByTagName('line').length)).toEqual([
      0, 3, 3,
    ]);
  });

  it('escapes the sweep and layer names', () => {
    const svg = sweepSvg(input());
    const root = parseSvg(svg);
    expect(root.getElementsByTagName('script')).toHaveLength(0);
    expect(byClass(root, 'text', 'title')[0]!.textContent).toContain(`<script>"sweep"</script> & 'co'`);
    expect(visibleText(root)).toContain(`in<"put"> & 'x'`);
  });

  it('draws an empty sweep as a valid picture that says so', () => {
    const root = parseSvg(
      sweepSvg({
        sweepId: '0123456789abcdef0123456789abcdef',
        name: 'empty',
        summary: [],
        recommendations: [],
        layers: [],
      }),
    );
    expect(byClass(root, 'g', 'cell')).toHaveLength(0);
    expect(visibleText(root)).toContain('no trial of this sweep has finished yet');
    expect(visibleText(root)).toContain('recommended: none yet');
  });

  it('draws a running sweep, whose resolutions have no completed trial, without a made-up axis', () => {
    const running = parseSvg(
      sweepSvg({
        sweepId: '0123456789abcdef0123456789abcdef',
        name: 'running',
        summary: RESOLUTIONS.map((resolution) => ({
          architecture: 'vgg11',
          variant: 'widthMultiplier=1',
          resolution,
          completed: 0,
          meanTestAccuracy: null,
          std: null,
        })),
        recommendations: [],
        layers: [],
      }),
    );
    expect(byClass(running, 'g', 'point')).toHaveLength(0);
    expect(visibleText(running)).toContain('no completed trial yet');
    expect(byClass(running, 'g', 'accuracy')[0]!.textContent).not.toContain('%');
    expect(visibleText(running)).toContain('28 px');
  });

  it('shows a search: the trials pruned at each resolution and the rungs that pruned them', () => {
    const searched = input();
    const simple = (p: ResolutionPoint) => p.architecture === 'simple-cnn';
    searched.summary = searched.summary.map((p) =>
      simple(p) && p.resolution === 14
        ? { ...p, completed: 0, meanTestAccuracy: null, std: null, trials: 3, pruned: 3 }
        : p,
    );
    searched.rungs = [
      {
        architecture: 'simple-cnn',
        variant: 'widthMultiplier=1',
        rung: 1,
        epoch: 2,
        candidates: 4,
        promoted: 2,
      },
      {
        architecture: 'simple-cnn',
        variant: 'widthMultiplier=1',
        rung: 0,
        epoch: 1,
        candidates: 9,
        promoted: 4,
      },
    ];
    const root = parseSvg(sweepSvg(searched));
    const pruned = byClass(root, 'text', 'pruned');
    expect(pruned.map((t) => [t.getAttribute('data-resolution'), t.textContent])).toEqual([
      ['14', '3 of 3 pruned'],
    ]);
    const rungs = byClass(root, 'text', 'search-rungs');
    expect(rungs).toHaveLength(1);
    // In rung order, whatever order they came in.
    expect(rungs[0]!.textContent).toContain('4 of 9 trials kept at epoch 1 → 2 of 4 trials kept at epoch 2');
    // The grid blocks (vgg11) say nothing about a search.
    expect(byClass(root, 'g', 'architecture-block')[1]!.textContent).not.toContain('pruned');
  });
});
