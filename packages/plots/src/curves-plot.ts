import { type ScaleLinear, scaleLinear } from 'd3-scale';
import { line } from 'd3-shape';
import { percent } from './format.ts';
import { legendRow } from './legend.ts';
import { el, group, type Markup, text } from './markup.ts';
import { svgDocument } from './svg-document.ts';
import { GRID, INK, MUTED, MODE_COLOURS } from './theme.ts';
import type { EpochPoint } from './types.ts';

const PANEL_WIDTH = 380;
const PANEL_HEIGHT = 220;
const MARGIN = { top: 92, left: 52, right: 16, bottom: 40 };

interface Series {
  label: string;
  colour: string;
  dashed: boolean;
  value: (p: EpochPoint) => number;
}

/**
 * Loss and accuracy against epoch for one trial, as an SVG document with two panels side by side
 * (train solid, test dashed; the same hues as the saturation bars' train and eval).
 */
export function trialCurvesSvg(epochs: readonly EpochPoint[], title = 'loss and accuracy per epoch'): string {
  const points = [...epochs].sort((a, b) => a.epoch - b.epoch);
  const width = 2 * PANEL_WIDTH + 8;
  const height = MARGIN.top + PANEL_HEIGHT + MARGIN.bottom;
  const lossSeries: Series[] = [
    { label: 'train loss', colour: MODE_COLOURS.train, dashed: false, value: (p) => p.trainLoss },
    { label: 'test loss', colour: MODE_COLOURS.eval, dashed: true, value: (p) => p.testLoss },
  ];
  const accuracySeries: Series[] = [
    { label: 'train accuracy', colour: MODE_COLOURS.train, dashed: false, value: (p) => p.trainAccuracy },
    { label: 'test accuracy', colour: MODE_COLOURS.eval, dashed: true, value: (p) => p.testAccuracy },
  ];
  const finite = (s: Series[]) => points.flatMap((p) => s.map((x) => x.value(p))).filter(Number.isFinite);
  const losses = finite(lossSeries);
  const accuracies = finite(accuracySeries);
  const lossDomain: [number, number] = [0, Math.max(1e-6, ...losses)];
  const accuracyLow = Math.min(1, ...accuracies);
  const accuracyDomain: [number, number] = [Math.max(0, Math.floor(accuracyLow * 10) / 10 - 0.05), 1];

  return svgDocument(
    { width, height },
    title,
    'satfarm-plot curves',
    el('text', { class: 'title', x: 16, y: 26, 'font-size': 15, 'font-weight': 600, fill: INK }, text(title)),
    legendRow(
      [
        { label: 'train', line: MODE_COLOURS.train },
        { label: 'test', line: MODE_COLOURS.eval, dashed: true },
      ],
      16,
      48,
    ).markup,
    panel(points, lossSeries, lossDomain, 0, 'loss', 'r'),
    panel(points, accuracySeries, accuracyDomain, PANEL_WIDTH + 8, 'accuracy', '%'),
  ).value;
}

function panel(
  points: readonly EpochPoint[],
  series: readonly Series[],
  domain: [number, number],
  left: number,
  name: string,
  /** d3-format type for the ticks: `r` (plain significant digits) or `%`. */
  tickType: 'r' | '%',
): Markup {
  const x0 = left + MARGIN.left;
  const x1 = left + PANEL_WIDTH - MARGIN.right;
  const y0 = MARGIN.top + PANEL_HEIGHT;
  const y1 = MARGIN.top;
  const lastEpoch = Math.max(2, ...points.map((p) => p.epoch));
  const x = scaleLinear().domain([1, lastEpoch]).range([x0, x1]);
  const y: ScaleLinear<number, number> = scaleLinear().domain(domain).range([y0, y1]).nice(5);
  const epochTicks = x.ticks(Math.min(lastEpoch - 1, 8)).filter(Number.isInteger);
  const tick = y.tickFormat(5, tickType);
  // Tooltips get more digits than ticks.
  const format = (v: number) => (tickType === '%' ? percent(v) : v.toPrecision(3));

  const axes = group(
    y
      .ticks(5)
      .map((t) =>
        group(
          el('line', { x1: x0, x2: x1, y1: y(t), y2: y(t), stroke: GRID }),
          el(
            'text',
            { x: x0 - 6, y: y(t) + 4, 'text-anchor': 'end', 'font-size': 10, fill: MUTED },
            text(tick(t)),
          ),
        ),
      ),
    epochTicks.map((t) =>
      el('text', { x: x(t), y: y0 + 16, 'text-anchor': 'middle', 'font-size': 10, fill: MUTED }, text(t)),
    ),
    el('line', { x1: x0, x2: x1, y1: y0, y2: y0, stroke: MUTED }),
    el(
      'text',
      { x: (x0 + x1) / 2, y: y0 + 34, 'text-anchor': 'middle', 'font-size': 11, fill: MUTED },
      text('epoch'),
    ),
    el('text', { x: x0, y: y1 - 14, 'font-size': 12, 'font-weight': 600, fill: INK }, text(name)),
  );

  const lines = series.map((s) => {
    const valid = points.filter((p) => Number.isFinite(s.value(p)));
    const path = line<EpochPoint>()
      .x((p) => x(p.epoch))
      .y((p) => y(s.value(p)))(valid);
    return el(
      'g',
      { class: `series ${s.label.replaceAll(' ', '-')}` },
      path === null
        ? null
        : el('path', {
            d: path,
            fill: 'none',
            stroke: s.colour,
            'stroke-width': 2,
            'stroke-dasharray': s.dashed ? '5 3' : undefined,
          }),
      valid.map((p) =>
        el(
          'circle',
          { cx: x(p.epoch), cy: y(s.value(p)), r: valid.length > 30 ? 1.5 : 3, fill: s.colour },
          el('title', {}, text(`epoch ${p.epoch} ${s.label}: ${format(s.value(p))}`)),
        ),
      ),
    );
  });
  const empty =
    points.length === 0
      ? el(
          'text',
          { x: (x0 + x1) / 2, y: (y0 + y1) / 2, 'text-anchor': 'middle', 'font-size': 12, fill: MUTED },
          text('no epoch stored yet'),
        )
      : null;
  return group(axes, lines, empty);
}
