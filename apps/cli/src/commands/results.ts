import { findSweep, resolutionSummary, sweepResults, type TrialResult } from '@satfarm/db';
import {
  DEFAULT_TOLERANCE,
  type Recommendation,
  recommendResolution,
  type SearchOutcome,
} from '@satfarm/scheduler';
import type { Command } from 'commander';
import { withPool } from '../database.ts';
import type { SatfarmEnv } from '../env.ts';
import { UsageError } from '../errors.ts';
import { jsonLine, percent, printable, table } from '../format.ts';
import { numberFlag } from '../numbers.ts';

const CSV_COLUMNS: (keyof TrialResult)[] = [
  'trialId',
  'architecture',
  'variant',
  'resolution',
  'seed',
  'widthMultiplier',
  'status',
  'attempts',
  'epochs',
  'trainLoss',
  'trainAccuracy',
  'testLoss',
  'testAccuracy',
  'meanTrainSaturation',
  'meanEvalSaturation',
  'seconds',
  'backend',
  'device',
  'error',
];

export function registerResults(program: Command, env: () => SatfarmEnv): void {
  program
    .command('results')
    .description('every trial of a sweep with its final metrics')
    .argument('<sweep>', 'sweep id, unique id prefix or name')
    .option('--format <format>', 'table, csv or json', 'table')
    .action(async (sweep: string, flags: { format: string }) => {
      if (!['table', 'csv', 'json'].includes(flags.format)) {
        throw new UsageError(`--format: got ${JSON.stringify(flags.format)}; expected table, csv or json`);
      }
      const trials = await withPool(env().databaseUrl, async (pool) => {
        const { id } = await findSweep(pool, sweep);
        return sweepResults(pool, id);
      });
      if (flags.format === 'json') process.stdout.write(jsonLine({ trials }));
      else if (flags.format === 'csv') process.stdout.write(toCsv(trials));
      else process.stdout.write(`${trialTable(trials)}\n`);
    });

  program
    .command('best')
    .description(
      'recommended input resolution per architecture, measured and predicted from receptive fields',
    )
    .argument('<sweep>', 'sweep id, unique id prefix or name')
    .option(
      '--tolerance <points>',
      'accuracy points below the best that still count as good enough',
      numberFlag('--tolerance'),
      DEFAULT_TOLERANCE * 100,
    )
    .option('--json', 'print JSON')
    .action(async (sweep: string, flags: { tolerance: number; json?: boolean }) => {
      if (!(flags.tolerance >= 0 && flags.tolerance <= 100)) {
        throw new UsageError(
          `--tolerance: got ${flags.tolerance}; expected accuracy points between 0 and 100`,
        );
      }
      const { recommendations, summary } = await withPool(env().databaseUrl, async (pool) => {
        const out = await recommendResolution({ pool, sweep, tolerance: flags.tolerance / 100 });
        return { ...out, summary: await resolutionSummary(pool, out.sweepId) };
      });
      if (flags.json) {
        process.stdout.write(jsonLine({ recommendations }));
        return;
      }
      process.stdout.write(
        `${resolutionTable(summary, recommendations)}\n\n${recommendationLines(recommendations)}\n`,
      );
    });
}

export function trialTable(trials: TrialResult[]): string {
  return table(
    [
      'trial',
      'architecture',
      'variant',
      'res',
      'seed',
      'status',
      'epochs',
      'test acc',
      'eval sat',
      'seconds',
    ],
    trials.map((t) => [
      t.trialId.slice(0, 8),
      t.architecture,
      t.variant,
      t.resolution,
      t.seed,
      t.status,
      `${t.epochs}/${t.plannedEpochs}`,
      t.testAccuracy === null ? '' : percent(t.testAccuracy),
      t.meanEvalSaturation === null ? '' : percent(t.meanEvalSaturation),
      t.seconds === null ? '' : t.seconds.toFixed(1),
    ]),
  );
}

export function recommendationLines(recommendations: Recommendation[]): string {
  return recommendations
    .map((r) => {
      const tails = r.tailLengths
        .map((t) => `${t.resolution}px: ${t.meanTailLength?.toFixed(1) ?? '–'}`)
        .join(', ');
      return (
        `${printable(r.architecture)} (${printable(r.variant)}): best ${r.resolution} px (${percent(r.meanTestAccuracy, 2)}); ` +
        `use ${r.cheapestResolution} px (${percent(r.cheapestMeanTestAccuracy, 2)}, within ${r.tolerance * 100} points); ` +
        `receptive fields predict ≥ ${r.rfPredictedResolution ?? '?'} px → ${r.rfPredictedTriedResolution ?? '?'} px tried ` +
        `(${r.agree ? 'agrees' : 'disagrees'}); tail length ${tails}\n` +
        `  reproduce: ${r.sql.statement.replace('$1', `'${r.sql.parameters[0]}'`).replace('$2', String(r.sql.parameters[1]))}` +
        (r.search === undefined ? '' : `\n${searchLines(r.search)}`)
      );
    })
    .join('\n');
}

/** How a successive-halving search got to its recommendation, and what it saved. */
export function searchLines(search: SearchOutcome): string {
  const share = search.gridEpochs === 0 ? 0 : search.trainedEpochs / search.gridEpochs;
  const px = (list: readonly number[]) => (list.length === 0 ? 'none' : `${list.join(', ')} px`);
  return [
    `  search: successive halving by ${search.rankBy} (η = ${search.reductionFactor}): trained ` +
      `${search.trainedEpochs} of the full grid's ${search.gridEpochs} epochs (${percent(share)}); ${search.pruned} trials pruned`,
    ...search.rungs.map(
      (r) =>
        `    rung ${r.rung} at epoch ${r.epoch}: ${r.promoted} of ${r.candidates} went on (${px(r.promotedResolutions)}); ` +
        `stopped: ${px(r.stoppedResolutions)}`,
    ),
    `  why: ${search.why.statement.replace('$1', `'${search.why.parameters[0]}'`)}`,
  ].join('\n');
}

export function resolutionTable(
  summary: Awaited<ReturnType<typeof resolutionSummary>>,
  best: { architecture: string; variant: string; resolution: number }[],
): string {
  const isBest = (r: { architecture: string; variant: string; resolution: number }) =>
    best.some(
      (b) => b.architecture === r.architecture && b.variant === r.variant && b.resolution === r.resolution,
    );
  return table(
    ['architecture', 'variant', 'resolution', 'seeds', 'mean test acc', '± std', 'mean eval sat', ''],
    summary.map((r) => [
      r.architecture,
      r.variant,
      r.resolution,
      r.seeds,
      r.meanTestAccuracy === null ? '' : percent(r.meanTestAccuracy, 2),
      r.std === null ? '' : percent(r.std, 2),
      r.meanEvalSaturation === null ? '' : percent(r.meanEvalSaturation),
      isBest(r) ? '← recommended' : '',
    ]),
  );
}

function toCsv(trials: TrialResult[]): string {
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return '';
    // Escaped like everything printed, except newlines, which CSV quoting carries (error texts have them).
    const s = String(v).split('\n').map(printable).join('\n');
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return (
    [CSV_COLUMNS.join(','), ...trials.map((t) => CSV_COLUMNS.map((c) => cell(t[c])).join(','))].join('\n') +
    '\n'
  );
}
