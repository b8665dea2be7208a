import { RANK_RULES } from '@satfarm/contracts';
import type { ReplayReport } from './replay.ts';
import type { RuleAtEpoch, SignalReport } from './signal.ts';

/**
 * The search-signal measurement as Markdown tables for the README: per rule, from which epoch on its
 * pick is right in every group; per epoch, ρ averaged over groups; then each group epoch by epoch.
 */
export function renderSignalMarkdown(report: SignalReport): string {
  const points = formatPoints(report.tolerance);
  const out: string[] = [
    `Resolutions are scored after each epoch (mean over seeds); ρ = Spearman's rank correlation of those ` +
      `scores with the mean test accuracy after the last epoch (the finished grid); pick = the top-scoring ` +
      `resolution: ✓ the grid's recommendation (the smallest resolution within ${points} of the best), ` +
      `≈ another resolution within ${points} of the best, ✗ neither.`,
    '',
    table(
      ['rule', "grid's pick in every group from epoch", `a pick within ${points} in every group from epoch`],
      ['---', '---:', '---:'],
      report.rules.map((r) => [
        r.rule,
        r.sameFromEpoch === null ? 'never' : String(r.sameFromEpoch),
        r.withinToleranceFromEpoch === null ? 'never' : String(r.withinToleranceFromEpoch),
      ]),
    ),
    '',
  ];
  const epochs = report.rules[0]?.byEpoch.map((e) => e.epoch) ?? [];
  if (epochs.length > 0) {
    out.push(
      table(
        ['epoch', ...report.rules.flatMap((r) => [`${r.rule} mean ρ`, `${r.rule} groups ✓ · ✓ or ≈`])],
        ['---:', ...report.rules.flatMap(() => ['---:', '---:'])],
        epochs.map((epoch, i) => [
          String(epoch),
          ...report.rules.flatMap((r) => {
            const e = r.byEpoch[i]!;
            return [
              formatRho(e.meanSpearman),
              `${e.groupsSame}/${e.groups} · ${e.groupsWithinTolerance}/${e.groups}`,
            ];
          }),
        ]),
      ),
      '',
    );
  }
  for (const g of report.groups) {
    const grid = g.grid
      .map(
        (r) =>
          `${r.resolution} px ${formatPercent(r.meanAccuracy)} (${r.seeds} seed${r.seeds === 1 ? '' : 's'})`,
      )
      .join(', ');
    out.push(
      `**${cell(g.group)}** — grid after ${g.lastEpoch} epoch${g.lastEpoch === 1 ? '' : 's'}, mean test accuracy: ` +
        `${grid}; recommended ${g.gridResolution} px (best ${g.bestResolution} px).`,
      '',
      table(
        ['epoch', ...RANK_RULES.flatMap((rule) => [`${rule} ρ`, `${rule} pick`])],
        ['---:', ...RANK_RULES.flatMap(() => ['---:', '---:'])],
        g.epochs.map((e) => [
          String(e.epoch),
          ...RANK_RULES.flatMap((rule) => [formatRho(e.rules[rule].spearman), pickCell(e.rules[rule])]),
        ]),
      ),
      '',
    );
  }
  return out.join('\n');
}

/** Successive-halving replays, one row per (replay, group) and a total per replay. */
export function renderReplayMarkdown(reports: readonly ReplayReport[]): string {
  const rows: string[][] = [];
  for (const r of reports) {
    const head = [r.rule, String(r.reductionFactor), String(r.minEpochs), r.rungEpochs.join(', ') || '–'];
    for (const g of r.groups) {
      rows.push([
        ...head,
        cell(g.group),
        `${g.pickedResolution} ${g.same ? '✓' : g.withinTolerance ? '≈' : '✗'}`,
        String(g.gridResolution),
        `${g.epochsTrained} / ${g.gridEpochs}`,
        formatShare(g.gridEpochs === 0 ? 0 : g.epochsTrained / g.gridEpochs),
      ]);
    }
    const t = r.totals;
    rows.push([
      ...head,
      `all ${t.groups}: ${t.same} ✓, ${t.withinTolerance - t.same} ≈, ${t.groups - t.withinTolerance} ✗`,
      '',
      '',
      `${t.epochsTrained} / ${t.gridEpochs}`,
      formatShare(t.share),
    ]);
  }
  const points =
    reports[0] === undefined ? '' : ` (≈: within ${formatPoints(reports[0].tolerance)} of the best)`;
  return (
    `Successive halving replayed on the grid's histories: picked = the grid rule over the trials that ` +
    `survived every rung${points}; epochs trained = the epochs the search would have trained, summed over trials.\n\n` +
    table(
      ['rule', 'η', 'min epochs', 'rungs', 'group', 'picked', 'grid', 'epochs trained', 'share'],
      ['---', '---:', '---:', '---', '---', '---:', '---:', '---:', '---:'],
      rows,
    ) +
    '\n'
  );
}

function pickCell(r: RuleAtEpoch): string {
  return `${r.pickedResolution} ${r.same ? '✓' : r.withinTolerance ? '≈' : '✗'}`;
}

function table(header: string[], align: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(align), ...rows.map(line)].join('\n');
}

/** Text from the database as one Markdown table cell: no column breaks, line breaks or HTML. */
function cell(text: string): string {
  return text
    .replaceAll('\\', '\\\\')
    .replaceAll('|', '\\|')
    .replaceAll('<', '&lt;')
    .replace(/[\r\n]+/g, ' ');
}

function formatRho(rho: number): string {
  const text = rho.toFixed(2);
  return text === '-0.00' ? '0.00' : text;
}

function formatPercent(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

function formatShare(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function formatPoints(tolerance: number): string {
  const points = Number((tolerance * 100).toFixed(4));
  return `${points} point${points === 1 ? '' : 's'}`;
}
