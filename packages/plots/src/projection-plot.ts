import { scaleLinear, scalePoint } from 'd3-scale';
import { line } from 'd3-shape';
import { percent } from './format.ts';
import { legendRow } from './legend.ts';
import { el, group, type Markup, text } from './markup.ts';
import { svgDocument } from './svg-document.ts';
import { ACCURACY_COLOUR, GRID, INK, MUTED, TEST_COLOUR } from './theme.ts';
import type { ProjectionPlotInput, ProjectionPoint } from './types.ts';

const WIDTH = 920;
const ROW_HEIGHT = 260;
const TOP = 56;
const PANEL_GAP = 70;
const LEFT = 64;
const RIGHT = 24;
const EIGEN = ACCURACY_COLOUR;
const RANDOM = TEST_COLOUR;
/** Lighter than the data, dotted: a reference, not a series. */
const UNPROJECTED = '#9aa5b1';

/**
 * The projection test, one row per (architecture, variant, resolution): on the left every projected
 * layer at once against δ, on the right each layer alone at one δ. Eigenspace accuracy as a line, the
 * random control's mean as a dashed line with a bar from its lowest to its highest draw (and ±std
 * ticks), the unprojected accuracy as a grey rule: the eigenspace keeps what the network knows when
 * its line stays at the rule while the control falls away.
 */
export function projectionSvg(input: ProjectionPlotInput): string {
  const groups = groupRows(input.points);
  const deltas = [...new Set(input.points.map((p) => p.delta))].sort((a, b) => a - b);
  const layerDelta = input.layerDelta ?? (deltas.includes(0.99) ? 0.99 : deltas.at(-1));
  const height = TOP + Math.max(1, groups.length) * ROW_HEIGHT + 10;
  const first = input.points[0];
  const how = first
    ? `fitted on the ${first.fit === 'train' ? 'training' : 'test'} data, ` +
      `${first.includesClassifier ? 'classifier projected too' : 'classifier left alone'}`
    : '';
  const legend = legendRow(
    [
      { label: 'eigenspace', line: EIGEN },
      { label: 'random subspace, same k (mean; bar: min–max of draws)', line: RANDOM, dashed: true },
      { label: 'unprojected', line: UNPROJECTED, dashed: true },
    ],
    LEFT,
    42,
  );
  return svgDocument(
    { width: WIDTH, height },
    `Projection test: ${input.title}`,
    'projection-plot',
    el(
      'text',
      { x: LEFT, y: 22, 'font-size': 15, 'font-weight': 600, fill: INK },
      text(`Projection test: ${input.title}`),
    ),
    el('text', { x: WIDTH - RIGHT, y: 22, 'text-anchor': 'end', 'font-size': 11, fill: MUTED }, text(how)),
    legend.markup,
    groups.length === 0
      ? el(
          'text',
          { x: LEFT, y: TOP + 40, 'font-size': 12, fill: MUTED },
          text('no projection results stored'),
        )
      : groups.map((g, row) => groupRow(g, TOP + row * ROW_HEIGHT, deltas, layerDelta)),
  ).toString();
}

interface Group {
  label: string;
  all: ProjectionPoint[];
  layers: ProjectionPoint[];
  unprojected: number;
}

function groupRows(points: readonly ProjectionPoint[]): Group[] {
  const byKey = new Map<string, Group>();
  for (const p of points) {
    const label = `${p.architecture} (${p.variant}) at ${p.resolution} px`;
    const g = byKey.get(label) ?? { label, all: [], layers: [], unprojected: p.meanTestAccuracy };
    (p.scope === 'all' ? g.all : g.layers).push(p);
    byKey.set(label, g);
  }
  return [...byKey.values()];
}

function groupRow(g: Group, top: number, deltas: readonly number[], layerDelta: number | undefined): Markup {
  const panelWidth = (WIDTH - LEFT - RIGHT - PANEL_GAP) / 2;
  const chart = { top: top + 46, bottom: top + ROW_HEIGHT - 44 };
  const y = scaleLinear().domain([0, 1]).range([chart.bottom, chart.top]);
  const left = { x0: LEFT, x1: LEFT + panelWidth };
  const right = { x0: LEFT + panelWidth + PANEL_GAP, x1: WIDTH - RIGHT };
  const layers = g.layers
    .filter((p) => p.delta === layerDelta)
    .sort((a, b) => (a.layerIndex ?? 0) - (b.layerIndex ?? 0));
  const trials = Math.max(0, ...g.all.map((p) => p.trials));
  return el(
    'g',
    { class: 'projection-group', 'data-group': g.label },
    el('text', { x: LEFT, y: top + 14, 'font-size': 13, 'font-weight': 600, fill: INK }, text(g.label)),
    el(
      'text',
      { x: WIDTH - RIGHT, y: top + 14, 'text-anchor': 'end', 'font-size': 11, fill: MUTED },
      text(`${trials} trial${trials === 1 ? '' : 's'}; unprojected ${percent(g.unprojected)}`),
    ),
    panel(
      'all-layers',
      'all layers together, against δ',
      g.all.sort((a, b) => a.delta - b.delta),
      deltas.map(String),
      (p) => String(p.delta),
      { ...left, y, chart, unprojected: g.unprojected },
    ),
    layers.length === 0
      ? null
      : panel(
          'per-layer',
          `each layer alone at δ = ${layerDelta}`,
          layers,
          layers.map((p) => p.layerName ?? '?'),
          (p) => p.layerName ?? '?',
          { ...right, y, chart, unprojected: g.unprojected },
        ),
  );
}

function panel(
  kind: string,
  caption: string,
  points: readonly ProjectionPoint[],
  categories: readonly string[],
  category: (p: ProjectionPoint) => string,
  at: {
    x0: number;
    x1: number;
    y: (v: number) => number;
    chart: { top: number; bottom: number };
    unprojected: number;
  },
): Markup {
  const x = scalePoint<string>().domain(categories).range([at.x0, at.x1]).padding(0.5);
  const px = (p: ProjectionPoint) => x(category(p)) ?? at.x0;
  const path = (value: (p: ProjectionPoint) => number) =>
    line<ProjectionPoint>()
      .x(px)
      .y((p) => at.y(value(p)))(points) ?? '';
  const rotate = categories.some((c) => c.length > 5);
  return el(
    'g',
    { class: `panel ${kind}` },
    [0, 0.25, 0.5, 0.75, 1].map((t) =>
      group(
        el('line', { x1: at.x0, x2: at.x1, y1: at.y(t), y2: at.y(t), stroke: GRID }),
        el(
          'text',
          { x: at.x0 - 6, y: at.y(t) + 4, 'text-anchor': 'end', 'font-size': 10, fill: MUTED },
          text(percent(t, 0)),
        ),
      ),
    ),
    el('line', {
      class: 'unprojected',
      x1: at.x0,
      x2: at.x1,
      y1: at.y(at.unprojected),
      y2: at.y(at.unprojected),
      stroke: UNPROJECTED,
      'stroke-width': 1.5,
      'stroke-dasharray': '2 3',
    }),
    el('path', {
      class: 'eigenspace',
      d: path((p) => p.meanProjectedAccuracy),
      fill: 'none',
      stroke: EIGEN,
      'stroke-width': 2,
    }),
    el('path', {
      class: 'random',
      d: path((p) => p.meanRandomAccuracy),
      fill: 'none',
      stroke: RANDOM,
      'stroke-width': 2,
      'stroke-dasharray': '5 3',
    }),
    points.map((p) => pointMarks(p, px(p), at.y)),
    categories.map((c) =>
      el(
        'text',
        {
          x: x(c) ?? at.x0,
          y: at.chart.bottom + 16,
          'text-anchor': rotate ? 'end' : 'middle',
          'font-size': 10,
          fill: MUTED,
          transform: rotate ? `rotate(-30 ${x(c) ?? at.x0} ${at.chart.bottom + 16})` : undefined,
        },
        text(c),
      ),
    ),
    el('text', { x: at.x0, y: at.chart.top - 12, 'font-size': 11, fill: MUTED }, text(caption)),
  );
}

/** One δ or layer: the eigenspace dot, the control's range bar, ±std ticks and mean dot, a tooltip. */
function pointMarks(p: ProjectionPoint, cx: number, y: (v: number) => number): Markup {
  const std = p.meanRandomAccuracyStd;
  const tip =
    `${p.layerName ?? 'all layers'} at δ = ${p.delta}: eigenspace ${percent(p.meanProjectedAccuracy)}, ` +
    `random ${percent(p.meanRandomAccuracy)}${std === null ? '' : ` ± ${(std * 100).toFixed(1)}`} ` +
    `(draws ${percent(p.minRandomAccuracy)}–${percent(p.maxRandomAccuracy)}), ` +
    `${percent(p.meanKeptShare)} of the dimensions kept`;
  return el(
    'g',
    {
      class: 'point',
      'data-delta': String(p.delta),
      'data-layer': p.layerName ?? undefined,
      'data-eigenspace': String(p.meanProjectedAccuracy),
      'data-random': String(p.meanRandomAccuracy),
    },
    el('title', {}, text(tip)),
    el('line', {
      class: 'random-range',
      x1: cx + 4,
      x2: cx + 4,
      y1: y(p.minRandomAccuracy),
      y2: y(p.maxRandomAccuracy),
      stroke: RANDOM,
      'stroke-width': 1.5,
    }),
    std === null
      ? null
      : [p.meanRandomAccuracy - std, p.meanRandomAccuracy + std].map((v) =>
          el('line', {
            class: 'random-std',
            x1: cx + 1,
            x2: cx + 7,
            y1: y(Math.max(0, Math.min(1, v))),
            y2: y(Math.max(0, Math.min(1, v))),
            stroke: RANDOM,
            'stroke-width': 1.5,
          }),
        ),
    el('circle', { cx: cx + 4, cy: y(p.meanRandomAccuracy), r: 3.5, fill: RANDOM }),
    el('circle', { cx: cx - 4, cy: y(p.meanProjectedAccuracy), r: 4, fill: EIGEN }),
  );
}
