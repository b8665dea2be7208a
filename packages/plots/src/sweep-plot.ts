import { accuracyChart } from './accuracy-chart.ts';
import { type ArchitectureGroup, groupByArchitecture } from './architecture-group.ts';
import { meanStd, percent } from './format.ts';
import { legendRow } from './legend.ts';
import { el, group, type Markup, text } from './markup.ts';
import { CELL_HEIGHT, heatmap } from './saturation-heatmap.ts';
import { safeIdPrefix, svgDocument } from './svg-document.ts';
import {
  ACCURACY_COLOUR,
  INK,
  MUTED,
  RECOMMENDED_COLOUR,
  saturationColour,
  textWidth,
  UNPRODUCTIVE_COLOUR,
} from './theme.ts';
import type { PlotOptions, SweepPlotInput } from './types.ts';

const HEADER = 118;
const MIN_COLUMN = 68;
const ACCURACY_HEIGHT = 150;
const GAP = 36;

/**
 * A sweep's resolution study as an SVG document, one block per architecture (and variant): test
 * accuracy against input resolution (mean ± std over seeds, the recommended resolution ringed and
 * its column shaded), and below it, on the same columns, a layer × resolution heatmap of mean eval
 * saturation with the layers receptive-field analysis predicts unproductive marked by a corner
 * triangle. Cells carry `class="cell"`, `data-layer`, `data-resolution` and `data-value`.
 */
export function sweepSvg(input: SweepPlotInput, options: PlotOptions = {}): string {
  const id = safeIdPrefix(options.idPrefix, 'sweep');
  const groups = groupByArchitecture(input);
  const labelWidth = Math.max(
    90,
    ...groups.flatMap((g) =>
      g.layers.map((l) => textWidth(l.layerName, 12) + textWidth(`${l.kind} ${l.width}`, 10) + 16),
    ),
  );
  const maxColumns = Math.max(1, ...groups.map((g) => g.resolutions.length));
  const left = 16 + labelWidth + 12;
  // Columns share the room of a 780 px figure up to a comfortable width; many resolutions widen it.
  const column = Math.max(MIN_COLUMN, Math.min(150, (780 - left - 40) / maxColumns));
  const width = Math.max(780, left + maxColumns * column + 40);

  let y = HEADER;
  const blocks: Markup[] = [];
  for (const g of groups) {
    const block = architectureBlock(g, { top: y, left, column, id });
    blocks.push(block.markup);
    y = block.bottom + GAP;
  }
  if (groups.length === 0) {
    blocks.push(
      el(
        'text',
        { x: width / 2, y: y + 20, 'text-anchor': 'middle', 'font-size': 13, fill: MUTED },
        text('no trial of this sweep has finished yet'),
      ),
    );
    y += 40 + GAP;
  }

  const best = input.recommendations
    .map((r) => `${r.architecture} ${r.resolution} px (${percent(r.meanTestAccuracy)})`)
    .join(', ');
  const title = `${input.name}: accuracy and layer saturation by input resolution`;
  const subtitle = `sweep ${input.sweepId.slice(0, 8)} · test accuracy as mean ± std over seeds · recommended: ${best === '' ? 'none yet' : best}`;
  const gradientStops = Array.from({ length: 11 }, (_, i) =>
    el('stop', { offset: `${i * 10}%`, 'stop-color': saturationColour(i / 10) }),
  );
  const legend = legendRow(
    [
      { label: 'mean test accuracy ± std', line: ACCURACY_COLOUR },
      { label: 'recommended resolution', fill: RECOMMENDED_COLOUR },
    ],
    16,
    72,
  );
  const scaleLeft = 16;
  const scaleTop = 90;
  return svgDocument(
    { width, height: y - GAP + 24 },
    `${title} (${subtitle})`,
    'satfarm-plot sweep',
    el(
      'defs',
      {},
      el('linearGradient', { id: `${id}-saturation`, x1: 0, x2: 1, y1: 0, y2: 0 }, gradientStops),
    ),
    el(
      'text',
      { class: 'title', x: 16, y: 28, 'font-size': 17, 'font-weight': 600, fill: INK },
      text(fitText(title, width - 32, 17)),
    ),
    el(
      'text',
      { class: 'subtitle', x: 16, y: 50, 'font-size': 12, fill: MUTED },
      text(fitText(subtitle, width - 32, 12)),
    ),
    legend.markup,
    el('text', { x: scaleLeft, y: scaleTop + 10, 'font-size': 12, fill: INK }, text('mean eval saturation')),
    el('text', { x: scaleLeft + 140, y: scaleTop + 10, 'font-size': 10, fill: MUTED }, text('0%')),
    el('rect', {
      x: scaleLeft + 160,
      y: scaleTop,
      width: 160,
      height: 12,
      rx: 2,
      fill: `url(#${id}-saturation)`,
    }),
    el('text', { x: scaleLeft + 326, y: scaleTop + 10, 'font-size': 10, fill: MUTED }, text('100%')),
    el('path', {
      d: `M${scaleLeft + 372},${scaleTop} h10 v10 z`,
      fill: UNPRODUCTIVE_COLOUR,
    }),
    el(
      'text',
      { x: scaleLeft + 388, y: scaleTop + 10, 'font-size': 12, fill: INK },
      text('border layer: predicted unproductive'),
    ),
    blocks,
  ).value;
}

/** Shortens a label with "…" so it fits `width` px (the full text stays in the document's <title>). */
function fitText(label: string, width: number, fontSize: number): string {
  const max = Math.floor(width / (fontSize * 0.6));
  return label.length <= max ? label : `${label.slice(0, Math.max(1, max - 1))}…`;
}

function architectureBlock(
  g: ArchitectureGroup,
  at: { top: number; left: number; column: number; id: string },
): { markup: Markup; bottom: number } {
  const { top, left, column } = at;
  const centre = (i: number) => left + column * (i + 0.5);
  const right = left + column * g.resolutions.length;
  // A search's rungs get a line under the header: how many trials each rung kept.
  const searchLine = g.rungs.length === 0 ? 0 : 18;
  const chartTop = top + 30 + searchLine;
  const chartBottom = chartTop + ACCURACY_HEIGHT;
  const axisY = chartBottom + 22;
  const prunedLine = g.points.some((p) => (p.pruned ?? 0) > 0) ? 14 : 0;
  const heatTop = axisY + 12 + prunedLine;
  const heatBottom = heatTop + Math.max(1, g.layers.length) * CELL_HEIGHT;
  const recommendedIndex = g.recommended === undefined ? -1 : g.resolutions.indexOf(g.recommended.resolution);

  const header = group(
    el(
      'text',
      { class: 'architecture', x: 16, y: top + 14, 'font-size': 15, 'font-weight': 600, fill: INK },
      text(g.architecture),
      el('tspan', { 'font-size': 11, 'font-weight': 400, fill: MUTED, dx: 8 }, text(g.variant)),
    ),
    g.recommended === undefined
      ? null
      : el(
          'text',
          {
            class: 'recommended',
            x: right,
            y: top + 14,
            'text-anchor': 'end',
            'font-size': 12,
            fill: '#2f6b29',
          },
          text(
            `recommended: ${g.recommended.resolution} px · ${meanStd(g.recommended.meanTestAccuracy, g.recommended.std)}`,
          ),
        ),
  );

  const rungs =
    g.rungs.length === 0
      ? null
      : el(
          'text',
          { class: 'search-rungs', x: 16, y: top + 32, 'font-size': 11, fill: MUTED },
          text(
            `successive halving: ${g.rungs
              .map((r) => `${r.promoted} of ${r.candidates} trials kept at epoch ${r.epoch}`)
              .join(' → ')}; pruned trials keep their rows`,
          ),
        );

  const highlight =
    recommendedIndex < 0
      ? null
      : el('rect', {
          class: 'recommended-column',
          x: left + column * recommendedIndex + 2,
          y: chartTop - 6,
          width: column - 4,
          height: heatBottom - chartTop + 10,
          rx: 4,
          fill: RECOMMENDED_COLOUR,
          'fill-opacity': 0.13,
        });

  return {
    markup: el(
      'g',
      { class: 'architecture-block', 'data-architecture': g.architecture, 'data-variant': g.variant },
      header,
      rungs,
      highlight,
      accuracyChart(g, { chartTop, chartBottom, left, right, centre, recommendedIndex }),
      g.resolutions.map((r, i) =>
        el(
          'text',
          {
            x: centre(i),
            y: axisY,
            'text-anchor': 'middle',
            'font-size': 12,
            'font-weight': i === recommendedIndex ? 700 : 400,
            fill: i === recommendedIndex ? '#2f6b29' : INK,
          },
          text(`${r} px`),
        ),
      ),
      g.points
        .filter((p) => (p.pruned ?? 0) > 0)
        .map((p) =>
          el(
            'text',
            {
              class: 'pruned',
              'data-resolution': p.resolution,
              x: centre(g.resolutions.indexOf(p.resolution)),
              y: axisY + 13,
              'text-anchor': 'middle',
              'font-size': 10,
              fill: MUTED,
            },
            text(`${p.pruned}${p.trials === undefined ? '' : ` of ${p.trials}`} pruned`),
          ),
        ),
      heatmap(g, { heatTop, left, column }),
    ),
    bottom: heatBottom,
  };
}
