import { scaleLinear } from 'd3-scale';
import { line } from 'd3-shape';
import type { ArchitectureGroup } from './architecture-group.ts';
import { meanStd, percent } from './format.ts';
import { el, group, type Markup, text } from './markup.ts';
import { ACCURACY_COLOUR, GRID, MUTED, RECOMMENDED_COLOUR } from './theme.ts';
import type { ResolutionPoint } from './types.ts';

/** Mean test accuracy ± std per resolution on the block's columns, the recommended one ringed. */
export function accuracyChart(
  g: ArchitectureGroup,
  at: {
    chartTop: number;
    chartBottom: number;
    left: number;
    right: number;
    centre: (i: number) => number;
    recommendedIndex: number;
  },
): Markup {
  const { chartTop, chartBottom, left, right, centre, recommendedIndex } = at;
  const measured = g.points.filter(
    (p): p is ResolutionPoint & { meanTestAccuracy: number } => p.meanTestAccuracy !== null,
  );
  const lows = measured.map((p) => p.meanTestAccuracy - (p.std ?? 0));
  const highs = measured.map((p) => p.meanTestAccuracy + (p.std ?? 0));
  const low = Math.max(0, Math.min(...lows, 1) - 0.02);
  const high = Math.min(1, Math.max(...highs, low + 0.05) + 0.02);
  const y = scaleLinear()
    .domain([low, high])
    .range([chartBottom, chartTop + 14])
    .nice(4);
  const x = (p: ResolutionPoint) => centre(g.resolutions.indexOf(p.resolution));
  if (measured.length === 0) {
    return el(
      'g',
      { class: 'accuracy' },
      el('rect', {
        x: left,
        y: chartTop + 14,
        width: right - left,
        height: chartBottom - chartTop - 14,
        fill: '#f8f9fa',
        rx: 4,
      }),
      el(
        'text',
        {
          x: (left + right) / 2,
          y: (chartTop + chartBottom) / 2 + 4,
          'text-anchor': 'middle',
          'font-size': 12,
          fill: MUTED,
        },
        text('no completed trial yet'),
      ),
    );
  }
  const tick = y.tickFormat(4, '%');
  const path = line<ResolutionPoint & { meanTestAccuracy: number }>()
    .x(x)
    .y((p) => y(p.meanTestAccuracy))(measured);

  return el(
    'g',
    { class: 'accuracy' },
    y
      .ticks(4)
      .map((t) =>
        group(
          el('line', { x1: left, x2: right, y1: y(t), y2: y(t), stroke: GRID }),
          el(
            'text',
            { x: left - 6, y: y(t) + 4, 'text-anchor': 'end', 'font-size': 10, fill: MUTED },
            text(tick(t)),
          ),
        ),
      ),
    el(
      'text',
      { x: left - 6, y: chartTop + 2, 'text-anchor': 'end', 'font-size': 11, fill: MUTED },
      text('test accuracy'),
    ),
    path === null ? null : el('path', { d: path, fill: 'none', stroke: ACCURACY_COLOUR, 'stroke-width': 2 }),
    measured.map((p) => {
      const cx = x(p);
      const recommended = g.resolutions.indexOf(p.resolution) === recommendedIndex;
      const errorBar =
        p.std === null
          ? null
          : group(
              el('line', {
                x1: cx,
                x2: cx,
                y1: y(Math.max(low, p.meanTestAccuracy - p.std)),
                y2: y(Math.min(1, p.meanTestAccuracy + p.std)),
                stroke: ACCURACY_COLOUR,
                'stroke-width': 1.5,
              }),
              [p.meanTestAccuracy - p.std, p.meanTestAccuracy + p.std].map((v) =>
                el('line', {
                  x1: cx - 5,
                  x2: cx + 5,
                  y1: y(Math.max(low, Math.min(1, v))),
                  y2: y(Math.max(low, Math.min(1, v))),
                  stroke: ACCURACY_COLOUR,
                  'stroke-width': 1.5,
                }),
              ),
            );
      return el(
        'g',
        { class: 'point', 'data-resolution': p.resolution, 'data-value': String(p.meanTestAccuracy) },
        errorBar,
        recommended
          ? el('circle', {
              class: 'recommended-marker',
              cx,
              cy: y(p.meanTestAccuracy),
              r: 9,
              fill: 'none',
              stroke: RECOMMENDED_COLOUR,
              'stroke-width': 2.5,
            })
          : null,
        el(
          'circle',
          { cx, cy: y(p.meanTestAccuracy), r: 4, fill: ACCURACY_COLOUR },
          el(
            'title',
            {},
            text(
              `${g.architecture} at ${p.resolution} px: ${meanStd(p.meanTestAccuracy, p.std)} over ${p.completed} seed(s)`,
            ),
          ),
        ),
        el(
          'text',
          {
            x: cx + 8,
            y: y(p.meanTestAccuracy) - 8,
            'font-size': 10,
            fill: recommended ? '#2f6b29' : MUTED,
            'font-weight': recommended ? 700 : 400,
          },
          text(percent(p.meanTestAccuracy)),
        ),
      );
    }),
  );
}
