import { cellKey, variantLabel } from './cells.ts';
import { mdTable, mean, pct, points } from './markdown.ts';
import type { ReportInput, ReportProjection, VariantKey } from './report-input.ts';
import {
  comparePaired,
  type Difference,
  groupBy,
  judgedPts,
  NOISE_FACTOR,
  pctPm,
  pts,
  ptsPm,
  type Stats,
  summarize,
} from './stats.ts';

const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;

/** The paper's tolerance: projecting onto the δ = 0.99 eigenspace costs at most about this much accuracy. */
const PAPER_TOLERANCE = 0.01;

/** One projected scope (all layers, or one layer alone) of one cell at one δ, over the cell's seeds. */
export interface ProjectionCell extends VariantKey {
  resolution: number;
  scope: 'all' | 'layer';
  layerName: string | null;
  layerIndex: number | null;
  delta: number;
  n: number;
  keptShare: number;
  unprojected: Stats;
  /** Per trial: projected − unprojected accuracy. */
  change: Stats;
  changeVsZero: Difference | undefined;
  /** Per trial: mean over the random draws − unprojected accuracy. */
  randomChange: Stats;
  /** Mean over trials of the standard deviation between draws. */
  drawSpread: number | null;
  draws: number;
  drawRange: [number, number];
  /** Per trial: projected − random mean. */
  eigenVsRandom: Difference | undefined;
}

/** The projection test per (cell, scope, δ), from the per-trial rows. */
export function projectionCells(rows: readonly ReportProjection[]): ProjectionCell[] {
  const groups = groupBy(
    rows,
    (r) =>
      `${cellKey(r)}\u0000${r.fit}\u0000${r.includesClassifier}\u0000${r.scope}\u0000${r.layerName ?? ''}\u0000${r.delta}`,
  );
  return [...groups.values()].map((list) => {
    const first = list[0]!;
    const randomMean = (r: ReportProjection) => mean(r.randomAccuracies);
    const spreads = list.flatMap((r) => {
      const s = summarize(r.randomAccuracies);
      return s?.std === null || s === undefined ? [] : [s.std];
    });
    const all = list.flatMap((r) => r.randomAccuracies);
    return {
      architecture: first.architecture,
      variant: first.variant,
      resolution: first.resolution,
      scope: first.scope,
      layerName: first.layerName,
      layerIndex: first.layerIndex,
      delta: first.delta,
      n: list.length,
      keptShare: mean(list.map((r) => r.k / r.width)),
      unprojected: summarize(list.map((r) => r.testAccuracy))!,
      change: summarize(list.map((r) => r.accuracy - r.testAccuracy))!,
      changeVsZero: comparePaired(list.map((r) => r.accuracy - r.testAccuracy)),
      randomChange: summarize(list.map((r) => randomMean(r) - r.testAccuracy))!,
      drawSpread: spreads.length > 0 ? mean(spreads) : null,
      draws: Math.min(...list.map((r) => r.randomAccuracies.length)),
      drawRange: [Math.min(...all), Math.max(...all)],
      eigenVsRandom: comparePaired(list.map((r) => r.accuracy - randomMean(r))),
    };
  });
}

/** How the stored projection test was run, in words. */
function how(rows: readonly ReportProjection[]): string {
  const fits = [...new Set(rows.map((r) => (r.fit === 'train' ? 'the training data' : 'the test set')))];
  const classifier = rows.some((r) => r.includesClassifier)
    ? 'every tracked layer, the classifier included'
    : 'every tracked layer but the classifier';
  return `${classifier}, the eigenspace fitted on ${fits.join(' and ')}`;
}

const cellLabel = (c: ProjectionCell) => `${variantLabel(c)} at ${c.resolution} px`;

/** Whether a cell's mean loss stays within the paper's ~1 point, exceeds it beyond noise, or neither. */
function againstTolerance(c: ProjectionCell): 'within' | 'beyond' | 'near' {
  if (c.change.mean >= -PAPER_TOLERANCE) return 'within';
  const se = c.changeVsZero?.se;
  // Beyond the tolerance by more than noise: even the mean plus 2 SE is below −1 point.
  if (se !== null && se !== undefined && c.change.mean + NOISE_FACTOR * se < -PAPER_TOLERANCE)
    return 'beyond';
  return 'near';
}

/**
 * (a) Projection at δ against the unprojected accuracy and the random control: the per-trial rows of
 * the projection test, or the legacy rows of a sweep run before it existed.
 */
export function projectionFinding(input: ReportInput, delta = 0.99): string {
  const trialRows = input.projections.filter((p) => near(p.delta, delta));
  const cells = projectionCells(trialRows);
  const all = cells.filter((c) => c.scope === 'all');
  if (all.length === 0) return legacyFinding(input, delta);
  const within = all.filter((c) => againstTolerance(c) === 'within');
  const beyond = all.filter((c) => againstTolerance(c) === 'beyond');
  const near1 = all.filter((c) => againstTolerance(c) === 'near');
  const lossBeyondNoise = all.filter((c) => c.changeVsZero?.beyondNoise === true && c.change.mean < 0);
  const randomWorse = all.filter((c) => c.eigenVsRandom?.beyondNoise === true && c.eigenVsRandom.diff > 0);
  const eigenVerdict =
    within.length === all.length
      ? 'Yes'
      : beyond.length === 0
        ? 'Yes, within noise'
        : beyond.length === all.length
          ? 'No'
          : 'Partly';
  // The question has two halves: a control that does not lose clearly more everywhere weakens a yes.
  const verdict = eigenVerdict.startsWith('Yes') && randomWorse.length < all.length ? 'Partly' : eigenVerdict;
  const changes = all.map((c) => c.change.mean);
  const worst = all.reduce((a, b) => (b.change.mean < a.change.mean ? b : a));
  const spreads = all.map((c) => c.drawSpread).filter((s) => s !== null);
  const alone = cells.filter((c) => c.scope === 'layer');
  const aloneBeyond = alone.filter((c) => c.changeVsZero?.beyondNoise === true && c.change.mean < 0);
  const costliest = alone.reduce<ProjectionCell | undefined>(
    (w, c) => (w === undefined || c.change.mean < w.change.mean ? c : w),
    undefined,
  );
  const parts = [
    `**${verdict}.** Projecting ${how(trialRows)}, onto its δ = ${delta} eigenspace (keeping ` +
      `${pct(mean(all.map((c) => c.keptShare)))} of the dimensions on average) changed test accuracy by ` +
      `${pts(Math.min(...changes))} to ${pts(Math.max(...changes))} per (architecture, resolution) cell, mean over seeds ` +
      `(worst ${cellLabel(worst)}: ${ptsPm(worst.change)}). ` +
      `${within.length} of ${all.length} cells ${within.length === 1 ? 'stays' : 'stay'} within the ~1 point the paper reports` +
      (near1.length > 0
        ? `, ${near1.length} ${near1.length === 1 ? 'loses' : 'lose'} more than 1 point but within noise of it`
        : '') +
      (beyond.length > 0
        ? `, ${beyond.length} ${beyond.length === 1 ? 'loses' : 'lose'} more than 1 point beyond noise`
        : '') +
      `; the loss is beyond noise of zero in ${lossBeyondNoise.length} of ${all.length}.`,
    `Random subspaces of the same dimensions changed it by ${pts(Math.min(...all.map((c) => c.randomChange.mean)))} to ` +
      `${pts(Math.max(...all.map((c) => c.randomChange.mean)))} (mean over ${Math.min(...all.map((c) => c.draws))} draws per trial, ` +
      `then over seeds; single draws ${pct(Math.min(...all.map((c) => c.drawRange[0])))} to ` +
      `${pct(Math.max(...all.map((c) => c.drawRange[1])))} accuracy` +
      `${spreads.length > 0 ? `, typical spread between draws ±${(mean(spreads) * 100).toFixed(1)} pts` : ''}): ` +
      `the eigenspace beat the random control beyond noise in ${randomWorse.length} of ${all.length} cells.`,
  ];
  if (costliest !== undefined) {
    parts.push(
      `Projected alone, ${aloneBeyond.length} of ${alone.length} (layer, cell) pairs lost accuracy beyond noise; the ` +
        `costliest was ${costliest.layerName} (${cellLabel(costliest)}: ${
          costliest.changeVsZero ? judgedPts(costliest.changeVsZero) : pts(costliest.change.mean)
        }).`,
    );
  }
  return parts.join(' ');
}

function legacyFinding(input: ReportInput, delta: number): string {
  const rows = input.legacyProjections.filter((p) => near(p.delta, delta));
  if (rows.length === 0) return `No projection results at δ = ${delta} are stored for this sweep.`;
  const change = rows.map((r) => r.meanProjectedAccuracy - r.meanTestAccuracy);
  const random = rows.map((r) => r.meanRandomAccuracy - r.meanTestAccuracy);
  const worst = Math.min(...change);
  const within = worst >= -PAPER_TOLERANCE;
  return (
    `**${within ? 'Yes' : 'No'}.** Over ${rows.length} (architecture, resolution) groups, projecting every tracked ` +
    `layer, the classifier included, onto the δ = ${delta} eigenspace of its test-set covariance (keeping ` +
    `${pct(mean(rows.map((r) => r.meanKeptShare)))} of the dimensions on average; satfarm's first way, stored ` +
    `before the projection test followed phd-lab) changed test accuracy by ${points(mean(change))} on average ` +
    `(worst ${points(worst)}), ${within ? 'within' : 'beyond'} the ~1 point the paper reports; a random subspace ` +
    `of the same dimensions (one draw) changed it by ${points(mean(random))} on average ` +
    `(worst ${points(Math.min(...random))}). Only means are stored for these rows: no spread over seeds to judge them by.`
  );
}

/** The projection test section: picture, all layers together at every δ, each layer alone at one δ, legacy rows. */
export function projectionSection(input: ReportInput, layerDelta = 0.99): string[] {
  const rows = input.projections;
  const cells = projectionCells(rows);
  const parts: string[] = ['## Projection test', ''];
  if (rows.length > 0) {
    parts.push(
      `Each tracked layer's output replaced by \`μ + V_k V_kᵀ (x − μ)\`, the eigenspace keeping δ of its variance: ` +
        `${how(rows)}. Changes are projected minus unprojected test accuracy of the same trial, mean ± std over ` +
        `seeds, judged against zero by their standard error (paired within trials). The random control is the mean ` +
        `over its draws per trial; "spread between draws" is the standard deviation between draws within a trial, ` +
        `averaged over the seeds.`,
      '',
    );
    if (input.images.projection) parts.push(`![Projection test](${input.images.projection})`, '');
    parts.push(
      '### All layers together',
      '',
      mdTable(
        [
          'architecture',
          'variant',
          'resolution',
          'δ',
          'n',
          'dimensions kept',
          'unprojected',
          'eigenspace: change',
          'random (same k): change',
          'spread between draws',
          'single draws',
          'eigenspace − random',
        ],
        cells
          .filter((c) => c.scope === 'all')
          .map((c) => [
            c.architecture,
            c.variant,
            c.resolution,
            c.delta,
            c.n,
            pct(c.keptShare),
            pctPm(c.unprojected),
            c.changeVsZero ? `${ptsPm(c.change)} (${noise(c.changeVsZero)})` : ptsPm(c.change),
            ptsPm(c.randomChange),
            c.drawSpread === null ? '–' : `±${(c.drawSpread * 100).toFixed(1)} pts (${c.draws} draws)`,
            `${pct(c.drawRange[0])} – ${pct(c.drawRange[1])}`,
            c.eigenVsRandom ? judgedPts(c.eigenVsRandom) : '–',
          ]),
      ),
      '',
    );
    const alone = cells.filter((c) => c.scope === 'layer' && near(c.delta, layerDelta));
    if (alone.length > 0) {
      parts.push(
        `### Each layer alone at δ = ${layerDelta}`,
        '',
        mdTable(
          [
            'architecture',
            'variant',
            'resolution',
            'layer',
            'n',
            'dimensions kept',
            'eigenspace: change',
            'random (same k): change',
            'spread between draws',
          ],
          alone
            .sort(
              (a, b) =>
                a.architecture.localeCompare(b.architecture) ||
                a.variant.localeCompare(b.variant, undefined, { numeric: true }) ||
                a.resolution - b.resolution ||
                (a.layerIndex ?? 0) - (b.layerIndex ?? 0),
            )
            .map((c) => [
              c.architecture,
              c.variant,
              c.resolution,
              c.layerName ?? '?',
              c.n,
              pct(c.keptShare),
              c.changeVsZero ? `${ptsPm(c.change)} (${noise(c.changeVsZero)})` : ptsPm(c.change),
              ptsPm(c.randomChange),
              c.drawSpread === null ? '–' : `±${(c.drawSpread * 100).toFixed(1)} pts`,
            ]),
        ),
        '',
      );
    }
    parts.push(
      "Every δ, layer and draw is in SQL: `SELECT * FROM projection_results_summary WHERE sweep_id = '" +
        `${input.sweep.id}'\` (per trial: \`projection_results\`).`,
      '',
    );
  }
  if (input.legacyProjections.length > 0) {
    parts.push(
      rows.length > 0 ? '### Legacy rows' : '',
      '',
      'Stored by satfarm before the projection test followed phd-lab: every tracked layer, the classifier included, ' +
        'projected onto the eigenspace of its test-set covariance; one random draw; means only.',
      '',
      mdTable(
        [
          'architecture',
          'variant',
          'resolution',
          'δ',
          'dimensions kept',
          'unprojected',
          'eigenspace',
          'random (same k)',
        ],
        input.legacyProjections.map((p) => [
          p.architecture,
          p.variant,
          p.resolution,
          p.delta,
          pct(p.meanKeptShare),
          pct(p.meanTestAccuracy),
          `${pct(p.meanProjectedAccuracy)} (${points(p.meanProjectedAccuracy - p.meanTestAccuracy)})`,
          `${pct(p.meanRandomAccuracy)} (${points(p.meanRandomAccuracy - p.meanTestAccuracy)})`,
        ]),
      ),
      '',
    );
  }
  if (rows.length === 0 && input.legacyProjections.length === 0)
    parts.push('No projection results are stored for this sweep.', '');
  return parts;
}

const noise = (d: Difference) =>
  d.beyondNoise === null ? 'one seed' : d.beyondNoise ? 'beyond noise' : 'within noise';
