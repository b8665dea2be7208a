import { type Cell, variantKey, variantLabel } from './cells.ts';
import { mdTable } from './markdown.ts';
import type { ReportInput, ReportLayer, VariantKey } from './report-input.ts';
import {
  compareIndependent,
  type Difference,
  groupBy,
  judgedPts,
  pctPm,
  type Stats,
  summarize,
} from './stats.ts';

/**
 * One conv layer that receptive-field analysis predicts unproductive at some of the tried resolutions
 * and productive at others: the same layer of the same network, so depth is held fixed.
 */
export interface LayerFlip extends VariantKey {
  layerName: string;
  layerIndex: number;
  unproductiveAt: number[];
  productiveAt: number[];
  /** Eval saturation at the last epoch over every trial (seed × resolution) on each side. */
  whereUnproductive: Stats;
  whereProductive: Stats;
  /** unproductive − productive. */
  difference: Difference;
  /** Layers of the same network predicted productive at every tried resolution, the control. */
  controls: string[];
  /**
   * The same comparison of this layer's saturation minus the mean of the control layers in the same
   * trial: what is left once whatever the resolution does to every layer is taken out.
   */
  relative: Difference | undefined;
  relativeUnproductive: Stats | undefined;
  relativeProductive: Stats | undefined;
  /**
   * The nearest pair of resolutions on either side of the change (e.g. 14 px unproductive, 20 px
   * productive): the least confounded single comparison, over the seeds of just those two cells.
   */
  boundary: { unproductive: number; productive: number; difference: Difference } | undefined;
}

/** Per-layer comparison across resolutions for every conv layer whose prediction changes with resolution. */
export function layerFlips(input: ReportInput): LayerFlip[] {
  const convs = input.layers.filter((l) => l.kind === 'conv');
  const flips: LayerFlip[] = [];
  for (const rows of groupBy(convs, variantKey).values()) {
    const byLayer = groupBy(rows, (l) => l.layerName);
    const resolutionsWhere = (list: readonly ReportLayer[], unproductive: boolean) =>
      [...new Set(list.filter((l) => l.unproductive === unproductive).map((l) => l.resolution))].sort(
        (a, b) => a - b,
      );
    const controls = [...byLayer.entries()]
      .filter(([, list]) => list.every((l) => !l.unproductive))
      .map(([name]) => name);
    // Per trial: the mean saturation of the control layers.
    const controlMean = new Map(
      [
        ...groupBy(
          rows.filter((l) => controls.includes(l.layerName)),
          (l) => l.trialId,
        ).entries(),
      ].map(([id, list]) => [id, list.reduce((a, l) => a + l.evalSaturation, 0) / list.length]),
    );
    for (const [layerName, list] of byLayer) {
      const unproductiveAt = resolutionsWhere(list, true);
      const productiveAt = resolutionsWhere(list, false);
      if (unproductiveAt.length === 0 || productiveAt.length === 0) continue;
      const bad = list.filter((l) => l.unproductive);
      const good = list.filter((l) => !l.unproductive);
      const whereUnproductive = summarize(bad.map((l) => l.evalSaturation))!;
      const whereProductive = summarize(good.map((l) => l.evalSaturation))!;
      const relativeOf = (side: readonly ReportLayer[]) =>
        summarize(
          side.flatMap((l) => {
            const c = controlMean.get(l.trialId);
            return c === undefined ? [] : [l.evalSaturation - c];
          }),
        );
      const relativeUnproductive = controls.length > 0 ? relativeOf(bad) : undefined;
      const relativeProductive = controls.length > 0 ? relativeOf(good) : undefined;
      const first = list[0]!;
      // k / width moves in steps of one direction.
      const step = 1 / first.width;
      let boundary: LayerFlip['boundary'];
      for (const u of unproductiveAt) {
        for (const p of productiveAt) {
          if (
            boundary !== undefined &&
            Math.abs(u - p) >= Math.abs(boundary.unproductive - boundary.productive)
          )
            continue;
          const a = summarize(list.filter((l) => l.resolution === u).map((l) => l.evalSaturation));
          const b = summarize(list.filter((l) => l.resolution === p).map((l) => l.evalSaturation));
          if (a && b)
            boundary = { unproductive: u, productive: p, difference: compareIndependent(a, b, step) };
        }
      }
      flips.push({
        architecture: first.architecture,
        variant: first.variant,
        layerName,
        layerIndex: first.layerIndex,
        unproductiveAt,
        productiveAt,
        whereUnproductive,
        whereProductive,
        difference: compareIndependent(whereUnproductive, whereProductive, step),
        controls,
        relative:
          relativeUnproductive && relativeProductive
            ? compareIndependent(relativeUnproductive, relativeProductive, step)
            : undefined,
        relativeUnproductive,
        relativeProductive,
        boundary,
      });
    }
  }
  return flips.sort(
    (a, b) =>
      a.architecture.localeCompare(b.architecture) ||
      a.variant.localeCompare(b.variant, undefined, { numeric: true }) ||
      a.layerIndex - b.layerIndex,
  );
}

const px = (rs: readonly number[]) => `${rs.join(', ')} px`;
const flipLabel = (f: LayerFlip) => `${f.layerName} of ${variantLabel(f)}`;

/**
 * (b) Is a conv layer less saturated at the resolutions where receptive-field analysis predicts it
 * unproductive than at those where it predicts it productive? The same layer across resolutions, so
 * the comparison is not confounded with depth.
 */
export function productivityFinding(input: ReportInput): string {
  const flips = layerFlips(input);
  if (flips.length === 0) {
    return (
      'No conv layer is predicted unproductive at some tried resolutions and productive at others, so the ' +
      'prediction cannot be checked layer by layer on this sweep.'
    );
  }
  const lower = flips.filter((f) => f.difference.diff < 0);
  const lowerBeyond = lower.filter((f) => f.difference.beyondNoise === true);
  const higherBeyond = flips.filter((f) => f.difference.diff > 0 && f.difference.beyondNoise === true);
  const verdict =
    lowerBeyond.length === flips.length
      ? 'Yes'
      : higherBeyond.length > 0 && lowerBeyond.length > 0
        ? 'Mixed'
        : higherBeyond.length > 0
          ? 'No'
          : lowerBeyond.length > 0
            ? 'Partly'
            : 'Not shown';
  const each = flips
    .map(
      (f) =>
        `${flipLabel(f)}: ${pctPm(f.whereUnproductive)} (n = ${f.whereUnproductive.n}) at ${px(f.unproductiveAt)} ` +
        `vs ${pctPm(f.whereProductive)} (n = ${f.whereProductive.n}) at ${px(f.productiveAt)}, ` +
        `${judgedPts(f.difference)}`,
    )
    .join('; ');
  const relative = flips.filter((f) => f.relative !== undefined);
  const relLower = relative.filter((f) => f.relative!.diff < 0);
  const relLowerBeyond = relLower.filter((f) => f.relative!.beyondNoise === true);
  const relHigherBeyond = relative.filter((f) => f.relative!.diff > 0 && f.relative!.beyondNoise === true);
  const controlText =
    relative.length === 0
      ? ''
      : ` Against the layers of the same network that are productive at every tried resolution (the control for ` +
        `whatever resolution does to all layers), ${relLower.length} of ${relative.length} ` +
        `${relLower.length === 1 ? 'is' : 'are'} relatively less saturated where predicted unproductive, ` +
        `${relLowerBeyond.length} beyond noise` +
        (relHigherBeyond.length > 0
          ? `, and ${relHigherBeyond.length} relatively more saturated beyond noise`
          : '') +
        '.';
  const bounded = flips.filter((f) => f.boundary !== undefined);
  const boundaryLower = bounded.filter(
    (f) => f.boundary!.difference.diff < 0 && f.boundary!.difference.beyondNoise === true,
  );
  const boundaryHigher = bounded.filter(
    (f) => f.boundary!.difference.diff > 0 && f.boundary!.difference.beyondNoise === true,
  );
  const boundaryText =
    bounded.length === 0
      ? ''
      : ` Between just the two nearest resolutions on either side of the change, ${boundaryLower.length} of ${bounded.length} ` +
        `${boundaryLower.length === 1 ? 'is' : 'are'} less saturated where predicted unproductive beyond noise` +
        (boundaryHigher.length > 0 ? ` and ${boundaryHigher.length} more saturated beyond noise` : '') +
        ` (${bounded.map((f) => `${f.layerName}: ${f.boundary!.unproductive} vs ${f.boundary!.productive} px ${judgedPts(f.boundary!.difference)}`).join('; ')}).`;
  return (
    `**${verdict}.** Of ${flips.length} conv layer${flips.length === 1 ? '' : 's'} predicted unproductive at ` +
    `some tried resolutions and productive at others, ${lower.length} ${lower.length === 1 ? 'was' : 'were'} ` +
    `less saturated (eval, last epoch) where predicted unproductive, ${lowerBeyond.length} of them beyond noise` +
    (higherBeyond.length > 0
      ? `; ${higherBeyond.length} ${higherBeyond.length === 1 ? 'was' : 'were'} more saturated there, beyond noise`
      : '') +
    ` (${each}).${controlText}${boundaryText}`
  );
}

/** The per-layer saturation table (one row per layer, a column per resolution) and the (b) table. */
export function layersSection(input: ReportInput, cells: readonly Cell[]): string[] {
  const resolutions = [...new Set(cells.map((c) => c.resolution))].sort((a, b) => a - b);
  const byLayer = groupBy(input.layers, (l) => `${variantKey(l)}\u0000${l.layerIndex}`);
  const rows = [...byLayer.values()]
    .map((list) => list)
    .sort((a, b) => {
      const x = a[0]!;
      const y = b[0]!;
      return (
        x.architecture.localeCompare(y.architecture) ||
        x.variant.localeCompare(y.variant, undefined, { numeric: true }) ||
        x.layerIndex - y.layerIndex
      );
    });
  const ns = new Set(cells.map((c) => c.n));
  const table = mdTable(
    ['architecture', 'variant', 'layer', 'width', 'receptive field', ...resolutions.map((r) => `${r} px`)],
    rows.map((list) => {
      const first = list[0]!;
      return [
        first.architecture,
        first.variant,
        first.layerName,
        first.width,
        first.receptiveField,
        ...resolutions.map((r) => {
          const here = list.filter((l) => l.resolution === r);
          if (here.length === 0) return '';
          const s = summarize(here.map((l) => l.evalSaturation));
          const mark = here.some((l) => l.unproductive) ? ' ▲' : '';
          return `${pctPm(s)}${ns.size > 1 ? ` (n = ${s?.n})` : ''}${mark}`;
        }),
      ];
    }),
  );
  const flips = layerFlips(input);
  const parts = [
    '## Saturation per layer',
    '',
    `Eval saturation (k / width at δ, on the test set) at each trial's last epoch, mean ± std over ` +
      `${ns.size === 1 ? `${[...ns][0]} seeds` : 'the seeds (n given)'}. ▲ predicted unproductive by receptive-field ` +
      'analysis (a border layer) at that resolution; dense layers are never predicted unproductive.',
    '',
    table,
    '',
  ];
  if (flips.length > 0) {
    parts.push(
      '### The same layer where predicted unproductive and where predicted productive',
      '',
      'Each conv layer whose prediction changes across the tried resolutions, compared with itself: its eval ' +
        'saturation over every trial (seeds × resolutions) where it is predicted unproductive against where it is ' +
        'predicted productive. The spread on each side includes the differences between its resolutions, so the ' +
        'test is conservative; since k / width moves in steps of 1 / width, a difference must also be at least one ' +
        'step to count as beyond noise. "Relative" subtracts, trial by trial, the mean saturation of the layers predicted ' +
        'productive at every resolution, so that a change all layers share with resolution does not count.',
      '',
      mdTable(
        [
          'architecture',
          'variant',
          'layer',
          'unproductive at',
          'saturation there',
          'productive at',
          'saturation there',
          'difference',
          'relative to control layers',
          'nearest resolutions only',
        ],
        flips.map((f) => [
          f.architecture,
          f.variant,
          f.layerName,
          px(f.unproductiveAt),
          `${pctPm(f.whereUnproductive)} (n = ${f.whereUnproductive.n})`,
          px(f.productiveAt),
          `${pctPm(f.whereProductive)} (n = ${f.whereProductive.n})`,
          judgedPts(f.difference),
          f.relative ? `${judgedPts(f.relative)} [control: ${f.controls.join(', ')}]` : '–',
          f.boundary
            ? `${f.boundary.unproductive} vs ${f.boundary.productive} px: ${judgedPts(f.boundary.difference)}`
            : '–',
        ]),
      ),
      '',
    );
  }
  return parts;
}
