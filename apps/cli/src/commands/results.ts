import { bestResolutions, findSweep, resolutionSummary, sweepResults, type TrialResult } from '@satfarm/db';
import type { Command } from 'commander';
import { withPool } from '../database.ts';
import type { SatfarmEnv } from '../env.ts';
import { UsageError } from '../errors.ts';
import { percent, table } from '../format.ts';

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
      if (flags.format === 'json') process.stdout.write(`${JSON.stringify({ trials })}\n`);
      else if (flags.format === 'csv') process.stdout.write(toCsv(trials));
      else process.stdout.write(`${trialTable(trials)}\n`);
    });

  program
    .command('best')
    .description('recommended input resolution per architecture (best mean test accuracy over seeds)')
    .argument('<sweep>', 'sweep id, unique id prefix or name')
    .option('--json', 'print JSON')
    .action(async (sweep: string, flags: { json?: boolean }) => {
      const { best, summary } = await withPool(env().databaseUrl, async (pool) => {
        const { id } = await findSweep(pool, sweep);
        return { best: await bestResolutions(pool, id), summary: await resolutionSummary(pool, id) };
      });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ recommendations: best })}\n`);
        return;
      }
      process.stdout.write(`${resolutionTable(summary, best)}\n`);
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

export function resolutionTable(
  summary: Awaited<ReturnType<typeof resolutionSummary>>,
  best: Awaited<ReturnType<typeof bestResolutions>>,
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
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return (
    [CSV_COLUMNS.join(','), ...trials.map((t) => CSV_COLUMNS.map((c) => cell(t[c])).join(','))].join('\n') +
    '\n'
  );
}
