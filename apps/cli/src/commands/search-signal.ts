import { findSweep, searchSignalSnapshots } from '@satfarm/db';
import {
  DEFAULT_TOLERANCE,
  RANK_RULES,
  type RankRule,
  type ReplayReport,
  renderReplayMarkdown,
  renderSignalMarkdown,
  replaySearch,
  type SignalReport,
  searchSignal,
  type TrialSnapshot,
} from '@satfarm/search';
import type { Command } from 'commander';
import { withPool } from '../database.ts';
import type { SatfarmEnv } from '../env.ts';
import { UsageError } from '../errors.ts';
import { jsonLine, printable } from '../format.ts';
import { integerFlag, numberFlag } from '../numbers.ts';

interface SearchSignalFlags {
  tolerance: number;
  json?: boolean;
  rule?: string;
  minEpochs?: number;
  reductionFactor?: number;
}

/** Replays without --rule: every rule, from epoch 1, halving and thirding. */
const DEFAULT_MIN_EPOCHS = 1;
const DEFAULT_REDUCTION_FACTORS = [2, 3];

export function registerSearchSignal(program: Command, env: () => SatfarmEnv): void {
  program
    .command('search-signal')
    .description(
      "how early test accuracy, saturation or both rank a full grid's resolutions as the finished grid " +
        'does, and successive halving replayed on its histories',
    )
    .argument('<sweep>', 'sweep id, unique id prefix or name (a full grid: every trial trained every epoch)')
    .option(
      '--tolerance <points>',
      'accuracy points below the best that still count as good enough (as in `satfarm best`)',
      numberFlag('--tolerance'),
      DEFAULT_TOLERANCE * 100,
    )
    .option('--json', 'print JSON')
    .option('--rule <rule>', `replay only this rank rule: ${RANK_RULES.join(', ')}`)
    .option(
      '--min-epochs <n>',
      `epochs before the first rung (default ${DEFAULT_MIN_EPOCHS})`,
      integerFlag('--min-epochs'),
    )
    .option(
      '--reduction-factor <η>',
      `each rung keeps the best 1/η (default: ${DEFAULT_REDUCTION_FACTORS.join(' and ')})`,
      integerFlag('--reduction-factor'),
    )
    .action(async (ref: string, flags: SearchSignalFlags) => {
      const options = replayPlan(flags);
      const { sweep, snapshots } = await withPool(env().databaseUrl, async (pool) => {
        const sweep = await findSweep(pool, ref);
        return { sweep, snapshots: await searchSignalSnapshots(pool, sweep.id) };
      });
      const completed = new Set(snapshots.map((s) => s.trialId)).size;
      const tolerance = flags.tolerance / 100;
      const signal = searchSignal(snapshots, { tolerance });
      const replays = replayAll(snapshots, signal, options, tolerance);
      const head = { sweepId: sweep.id, name: sweep.name, trials: sweep.trialCount, completed };
      if (flags.json) {
        process.stdout.write(jsonLine({ ...head, signal, replays }));
        return;
      }
      process.stdout.write(`${printableLines(searchSignalText(head, signal, replays))}\n`);
    });
}

interface ReplayPlan {
  rules: readonly RankRule[];
  minEpochs: number;
  reductionFactors: readonly number[];
}

function replayPlan(flags: SearchSignalFlags): ReplayPlan {
  if (!(flags.tolerance >= 0 && flags.tolerance <= 100)) {
    throw new UsageError(`--tolerance: got ${flags.tolerance}; expected accuracy points between 0 and 100`);
  }
  if (flags.rule !== undefined && !(RANK_RULES as readonly string[]).includes(flags.rule)) {
    throw new UsageError(`--rule: got ${JSON.stringify(flags.rule)}; expected ${RANK_RULES.join(', ')}`);
  }
  if (flags.minEpochs !== undefined && flags.minEpochs < 1) {
    throw new UsageError(`--min-epochs: got ${flags.minEpochs}; expected an integer >= 1`);
  }
  if (flags.reductionFactor !== undefined && flags.reductionFactor < 2) {
    throw new UsageError(`--reduction-factor: got ${flags.reductionFactor}; expected an integer >= 2`);
  }
  return {
    rules: flags.rule === undefined ? RANK_RULES : [flags.rule as RankRule],
    minEpochs: flags.minEpochs ?? DEFAULT_MIN_EPOCHS,
    reductionFactors:
      flags.reductionFactor === undefined ? DEFAULT_REDUCTION_FACTORS : [flags.reductionFactor],
  };
}

/** Every (rule, η) of the plan replayed to the epoch all groups reached (none without a completed trial). */
function replayAll(
  snapshots: readonly TrialSnapshot[],
  signal: SignalReport,
  plan: ReplayPlan,
  tolerance: number,
): ReplayReport[] {
  if (signal.groups.length === 0) return [];
  const epochs = Math.min(...signal.groups.map((g) => g.lastEpoch));
  return plan.rules.flatMap((rule) =>
    plan.reductionFactors.map((reductionFactor) =>
      replaySearch(snapshots, { rule, minEpochs: plan.minEpochs, reductionFactor, epochs, tolerance }),
    ),
  );
}

/** The text a person sees: what was read, the signal tables and the replays, as Markdown. */
export function searchSignalText(
  head: { sweepId: string; name: string; trials: number; completed: number },
  signal: SignalReport,
  replays: readonly ReplayReport[],
): string {
  const intro =
    `Sweep ${head.name} (${head.sweepId.slice(0, 8)}): ${head.completed} of ${head.trials} trials completed` +
    (head.completed < head.trials ? ' (the tables use the completed ones only)' : '') +
    '.';
  if (signal.groups.length === 0) return `${intro}\nNothing to measure until a trial completes.`;
  return [
    intro,
    '',
    '## How early each rule ranks the resolutions like the finished grid',
    '',
    renderSignalMarkdown(signal),
    '## Successive halving replayed',
    '',
    renderReplayMarkdown(replays),
  ].join('\n');
}

/** Control characters escaped line by line (names come from the database), line breaks kept. */
function printableLines(text: string): string {
  return text.split('\n').map(printable).join('\n');
}
