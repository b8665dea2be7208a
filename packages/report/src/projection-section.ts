import { mdTable, mean, pct, points } from './markdown.ts';
import type { ProjectionTestRow, ReportInput } from './report-input.ts';

const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;
const group = (r: { architecture: string; variant: string; resolution: number }) =>
  `${r.architecture} (${r.variant}) at ${r.resolution} px`;

/** How the stored projection test was run, in words. */
function how(rows: readonly ProjectionTestRow[]): string {
  const fits = [...new Set(rows.map((r) => (r.fit === 'train' ? 'the training data' : 'the test set')))];
  const classifier = rows.some((r) => r.includesClassifier)
    ? 'every tracked layer'
    : 'every tracked layer but the classifier';
  return `${classifier}, fitted on ${fits.join(' and ')}`;
}

/**
 * (a) Projection at δ against the unprojected accuracy and the random control: the projection test's
 * all-layer rows, or the legacy rows of a sweep run before it existed.
 */
export function projectionFinding(input: ReportInput, delta = 0.99): string {
  const rows = input.projectionTests.filter((p) => p.scope === 'all' && near(p.delta, delta));
  if (rows.length === 0) return legacyFinding(input, delta);
  const change = rows.map((r) => r.meanProjectedAccuracy - r.meanTestAccuracy);
  const random = rows.map((r) => r.meanRandomAccuracy - r.meanTestAccuracy);
  const worst = Math.min(...change);
  const within = worst >= -0.01;
  const low = Math.min(...rows.map((r) => r.minRandomAccuracy - r.meanTestAccuracy));
  const high = Math.max(...rows.map((r) => r.maxRandomAccuracy - r.meanTestAccuracy));
  const spread = rows.map((r) => r.meanRandomAccuracyStd).filter((s) => s !== null);
  const alone = input.projectionTests.filter((p) => p.scope === 'layer' && near(p.delta, delta));
  const costliest = alone.reduce<ProjectionTestRow | undefined>(
    (worstRow, r) =>
      worstRow === undefined ||
      r.meanProjectedAccuracy - r.meanTestAccuracy <
        worstRow.meanProjectedAccuracy - worstRow.meanTestAccuracy
        ? r
        : worstRow,
    undefined,
  );
  return (
    `**${within ? 'Yes' : 'No'}.** Over ${rows.length} (architecture, resolution) groups, projecting ${how(rows)}, ` +
    `onto its δ = ${delta} eigenspace (keeping ${pct(mean(rows.map((r) => r.meanKeptShare)))} of the dimensions on ` +
    `average) changed test accuracy by ${points(mean(change))} on average (worst ${points(worst)}), ` +
    `${within ? 'within' : 'beyond'} the ~1 point the paper reports; random subspaces of the same dimensions ` +
    `changed it by ${points(mean(random))} on average (single draws from ${points(low)} to ${points(high)}` +
    `${spread.length > 0 ? `, typical spread between draws ±${(mean(spread) * 100).toFixed(1)} pts` : ''}).` +
    (costliest === undefined
      ? ''
      : ` Projected alone, the costliest layer was ${costliest.layerName} (${group(costliest)}: ` +
        `${points(costliest.meanProjectedAccuracy - costliest.meanTestAccuracy)}).`)
  );
}

function legacyFinding(input: ReportInput, delta: number): string {
  const rows = input.projections.filter((p) => near(p.delta, delta));
  if (rows.length === 0) return `No projection results at δ = ${delta} are stored for this sweep.`;
  const change = rows.map((r) => r.meanProjectedAccuracy - r.meanTestAccuracy);
  const random = rows.map((r) => r.meanRandomAccuracy - r.meanTestAccuracy);
  const worst = Math.min(...change);
  const within = worst >= -0.01;
  return (
    `**${within ? 'Yes' : 'No'}.** Over ${rows.length} (architecture, resolution) groups, projecting every tracked ` +
    `layer, the classifier included, onto the δ = ${delta} eigenspace of its test-set covariance (keeping ` +
    `${pct(mean(rows.map((r) => r.meanKeptShare)))} of the dimensions on average; satfarm's first way, stored ` +
    `before the projection test followed phd-lab) changed test accuracy by ${points(mean(change))} on average ` +
    `(worst ${points(worst)}), ${within ? 'within' : 'beyond'} the ~1 point the paper reports; a random subspace ` +
    `of the same dimensions (one draw) changed it by ${points(mean(random))} on average ` +
    `(worst ${points(Math.min(...random))}).`
  );
}

/** The projection test section: picture, all-layer table, per-layer table at one δ, legacy rows. */
export function projectionSection(input: ReportInput, layerDelta = 0.99): string[] {
  const tests = input.projectionTests;
  const parts: string[] = ['## Projection test', ''];
  if (tests.length > 0) {
    const draws = `random control: mean ± spread between draws, and the lowest and highest draw`;
    parts.push(
      `Each tracked layer's output replaced by \`μ + V_k V_kᵀ (x − μ)\`, the eigenspace keeping δ of its variance: ${how(tests)}; ${draws}.`,
      '',
    );
    if (input.images.projection) parts.push(`![Projection test](${input.images.projection})`, '');
    parts.push(
      '### All layers together',
      '',
      mdTable(
        [...ALL_LAYERS_COLUMNS, 'draws'],
        tests
          .filter((p) => p.scope === 'all')
          .map((p) => [
            p.architecture,
            p.variant,
            p.resolution,
            p.delta,
            pct(p.meanKeptShare),
            pct(p.meanTestAccuracy),
            projectedCell(p),
            randomCell(p),
            `${pct(p.minRandomAccuracy)} – ${pct(p.maxRandomAccuracy)}`,
          ]),
      ),
      '',
    );
    const alone = tests.filter((p) => p.scope === 'layer' && near(p.delta, layerDelta));
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
            'dimensions kept',
            'eigenspace',
            'random (same k)',
          ],
          alone.map((p) => [
            p.architecture,
            p.variant,
            p.resolution,
            p.layerName ?? '?',
            pct(p.meanKeptShare),
            projectedCell(p),
            randomCell(p),
          ]),
        ),
        '',
        "Every δ, layer and draw is in SQL: `SELECT * FROM projection_results_summary WHERE sweep_id = '" +
          `${input.sweep.id}'\` (per trial: \`projection_results\`).`,
        '',
      );
    }
  }
  if (input.projections.length > 0) {
    parts.push(
      tests.length > 0 ? '### Legacy rows' : '',
      '',
      'Stored by satfarm before the projection test followed phd-lab: every tracked layer, the classifier included, ' +
        'projected onto the eigenspace of its test-set covariance; one random draw.',
      '',
      mdTable(
        ALL_LAYERS_COLUMNS,
        input.projections.map((p) => [
          p.architecture,
          p.variant,
          p.resolution,
          p.delta,
          pct(p.meanKeptShare),
          pct(p.meanTestAccuracy),
          projectedCell(p),
          `${pct(p.meanRandomAccuracy)} (${points(p.meanRandomAccuracy - p.meanTestAccuracy)})`,
        ]),
      ),
      '',
    );
  }
  if (tests.length === 0 && input.projections.length === 0)
    parts.push('No projection results are stored for this sweep.', '');
  return parts;
}

/** The all-layers table's columns, shared by today's rows and the legacy ones. */
const ALL_LAYERS_COLUMNS = [
  'architecture',
  'variant',
  'resolution',
  'δ',
  'dimensions kept',
  'unprojected',
  'eigenspace',
  'random (same k)',
];

/** Projected accuracy and its change against the unprojected net. */
function projectedCell(p: { meanProjectedAccuracy: number; meanTestAccuracy: number }): string {
  return `${pct(p.meanProjectedAccuracy)} (${points(p.meanProjectedAccuracy - p.meanTestAccuracy)})`;
}

function randomCell(p: ProjectionTestRow): string {
  const spread = p.meanRandomAccuracyStd === null ? '' : ` ± ${(p.meanRandomAccuracyStd * 100).toFixed(1)}`;
  return `${pct(p.meanRandomAccuracy)}${spread} (${points(p.meanRandomAccuracy - p.meanTestAccuracy)})`;
}
