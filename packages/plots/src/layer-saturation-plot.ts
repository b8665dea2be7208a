import { scaleLinear } from 'd3-scale';
import { percent } from './format.ts';
import { legendRow } from './legend.ts';
import { el, group, type Markup, text } from './markup.ts';
import { safeIdPrefix, svgDocument } from './svg-document.ts';
import { GRID, INK, MODE_COLOURS, MUTED, textWidth, UNPRODUCTIVE_COLOUR } from './theme.ts';
import type { LayerSaturation, PlotOptions, TrialSaturationInput } from './types.ts';

const WIDTH = 780;
const ROW = 28;
const TRAIN_BAR = { dy: 5, height: 8 };
const EVAL_BAR = { dy: 14, height: 10 };
const TOP = 112;
const BOTTOM = 46;
const VALUE_COLUMN = 64;

/**
 * Saturation per layer of one trial at one epoch, as an SVG document: one row per layer in forward
 * order, a thin train bar over a thicker eval bar (length = saturation, 0–100 %), layers that
 * receptive-field analysis predicts unproductive on a hatched band, test accuracy in the title.
 * Bars carry `class="bar train|eval"`, `data-layer` and `data-value` for scripts and tests.
 */
export function layerSaturationSvg(input: TrialSaturationInput, options: PlotOptions = {}): string {
  const id = safeIdPrefix(options.idPrefix, 'layer-saturation');
  const layers = [...input.layers].sort((a, b) => a.layerIndex - b.layerIndex);
  const nameWidth = Math.max(48, ...layers.map((l) => textWidth(l.layerName, 12)));
  const metaWidth = Math.max(...layers.map((l) => textWidth(layerMeta(l), 10)), 40);
  const plotLeft = 16 + nameWidth + 10 + metaWidth + 14;
  const plotRight = WIDTH - VALUE_COLUMN - 16;
  const x = scaleLinear().domain([0, 1]).range([plotLeft, plotRight]);
  const plotBottom = TOP + Math.max(1, layers.length) * ROW;
  const height = plotBottom + BOTTOM;

  const epochs =
    input.lastEpoch === undefined ? `epoch ${input.epoch}` : `epoch ${input.epoch} of ${input.lastEpoch}`;
  const title = `${input.architecture} at ${input.resolution} px, seed ${input.seed} — test accuracy ${percent(input.testAccuracy)}`;
  const variant = input.variant === undefined ? '' : ` · ${input.variant}`;
  const subtitle = `saturation per layer (k / d, forward order) · ${epochs} · trial ${input.trialId.slice(0, 8)}${variant}`;
  const unproductive = layers.filter((l) => l.unproductive).length;
  const deltaText =
    input.delta === undefined
      ? 'δ'
      : percent(input.delta, input.delta * 100 === Math.round(input.delta * 100) ? 0 : 1);

  const legend = legendRow(
    [
      { label: 'train', fill: MODE_COLOURS.train },
      { label: 'eval', fill: MODE_COLOURS.eval },
      {
        label: `border layer (receptive field past the input): predicted unproductive (${unproductive})`,
        fill: `url(#${id}-hatch)`,
        stroke: UNPRODUCTIVE_COLOUR,
      },
    ],
    16,
    76,
  );

  const ticks = x.ticks(4);
  const tickFormat = x.tickFormat(4, '.0%');
  const grid = ticks.map((t) =>
    group(
      el('line', { x1: x(t), x2: x(t), y1: TOP - 6, y2: plotBottom, stroke: GRID, 'stroke-width': 1 }),
      el(
        'text',
        { x: x(t), y: TOP - 12, 'text-anchor': 'middle', 'font-size': 11, fill: MUTED },
        text(tickFormat(t)),
      ),
      el(
        'text',
        { x: x(t), y: plotBottom + 16, 'text-anchor': 'middle', 'font-size': 11, fill: MUTED },
        text(tickFormat(t)),
      ),
    ),
  );

  const bands = layers.map((layer, i) => (layer.unproductive ? unproductiveBand(TOP + i * ROW, id) : null));
  const rows = layers.map((layer, i) => layerRow(layer, TOP + i * ROW, { x, plotLeft }));
  const empty =
    layers.length === 0
      ? el(
          'text',
          {
            x: (plotLeft + plotRight) / 2,
            y: TOP + 18,
            'text-anchor': 'middle',
            'font-size': 13,
            fill: MUTED,
          },
          text('no layer saturation stored for this epoch'),
        )
      : null;

  return svgDocument(
    { width: WIDTH, height },
    `${title} (${epochs})`,
    'satfarm-plot layer-saturation',
    el(
      'defs',
      {},
      el(
        'pattern',
        {
          id: `${id}-hatch`,
          width: 6,
          height: 6,
          patternUnits: 'userSpaceOnUse',
          patternTransform: 'rotate(45)',
        },
        el('rect', { width: 6, height: 6, fill: '#fdf1e3' }),
        el('line', {
          x1: 0,
          y1: 0,
          x2: 0,
          y2: 6,
          stroke: UNPRODUCTIVE_COLOUR,
          'stroke-width': 2,
          'stroke-opacity': 0.35,
        }),
      ),
    ),
    el('text', { class: 'title', x: 16, y: 28, 'font-size': 17, 'font-weight': 600, fill: INK }, text(title)),
    el('text', { class: 'subtitle', x: 16, y: 50, 'font-size': 12, fill: MUTED }, text(subtitle)),
    legend.markup,
    bands,
    grid,
    rows,
    empty,
    el(
      'text',
      {
        x: (plotLeft + plotRight) / 2,
        y: plotBottom + 36,
        'text-anchor': 'middle',
        'font-size': 12,
        fill: MUTED,
      },
      text(`saturation = k / d: share of eigendirections that hold ${deltaText} of a layer's variance`),
    ),
  ).value;
}

function layerMeta(layer: LayerSaturation): string {
  return `${layer.kind} ${layer.width} · rf ${layer.receptiveField}`;
}

function unproductiveBand(top: number, id: string): Markup {
  return el('rect', {
    class: 'unproductive',
    x: 8,
    y: top + 1,
    width: WIDTH - 16,
    height: ROW - 2,
    rx: 3,
    fill: `url(#${id}-hatch)`,
  });
}

function layerRow(
  layer: LayerSaturation,
  top: number,
  ctx: { x: (v: number) => number; plotLeft: number },
): Markup {
  const { x, plotLeft } = ctx;
  const nameColour = layer.unproductive ? '#b35a00' : INK;
  return el(
    'g',
    {
      class: 'layer',
      'data-layer': layer.layerIndex,
      'data-unproductive': layer.unproductive ? 'true' : 'false',
    },
    el(
      'text',
      {
        x: 16,
        y: top + 18,
        'font-size': 12,
        fill: nameColour,
        'font-weight': layer.unproductive ? 600 : 400,
      },
      text(layer.layerName),
    ),
    el(
      'text',
      { x: plotLeft - 14, y: top + 18, 'text-anchor': 'end', 'font-size': 10, fill: MUTED },
      text(layerMeta(layer)),
    ),
    bar(layer, 'train', top + TRAIN_BAR.dy, TRAIN_BAR.height, x),
    bar(layer, 'eval', top + EVAL_BAR.dy, EVAL_BAR.height, x),
  );
}

function bar(
  layer: LayerSaturation,
  mode: 'train' | 'eval',
  y: number,
  height: number,
  x: (v: number) => number,
): Markup {
  const value = mode === 'train' ? layer.trainSaturation : layer.evalSaturation;
  const k = mode === 'train' ? layer.trainK : layer.evalK;
  const label = value === null ? '–' : percent(value, 0);
  const kText = k === null || k === undefined ? '' : ` (k = ${k} of ${layer.width})`;
  const end = value === null ? x(0) : x(Math.max(0, Math.min(1, value)));
  return group(
    value === null
      ? null
      : el(
          'rect',
          {
            class: `bar ${mode}`,
            'data-layer': layer.layerIndex,
            'data-value': String(value),
            x: x(0),
            y,
            // A sliver stays visible at 0 so "measured, zero" differs from "not measured".
            width: Math.max(1, end - x(0)),
            height,
            rx: 1.5,
            fill: MODE_COLOURS[mode],
          },
          el('title', {}, text(`${layer.layerName} ${mode}: ${percent(value)}${kText}`)),
        ),
    el(
      'text',
      {
        class: `value ${mode}`,
        x: end + 5,
        y: y + height - 1,
        'font-size': mode === 'eval' ? 11 : 9,
        fill: mode === 'eval' ? INK : MUTED,
        'font-weight': mode === 'eval' ? 600 : 400,
      },
      text(label),
    ),
  );
}
