import {
  cancelSweep,
  createSweepFromSpec,
  resumeSweep,
  sweepProgress,
  type SweepProgressReport,
} from '@satfarm/scheduler';
import type { Command } from 'commander';
import type { SatfarmEnv } from '../env.ts';
import { withFarm } from '../farm-context.ts';
import { jsonLine, printable } from '../format.ts';
import { progressBar } from '../progress.ts';
import { readSpecFile } from '../spec-file.ts';

export function registerSweep(program: Command, env: () => SatfarmEnv): void {
  const sweep = program.command('sweep').description('create, watch, resume and cancel sweeps');

  sweep
    .command('create')
    .description(
      'write a sweep and its trials to PostgreSQL and enqueue them; the same spec twice is the same sweep',
    )
    .argument('<spec>', 'sweep spec, YAML or JSON')
    .option('--json', 'print { sweepId, trials, newTrials, enqueued }')
    .action(async (file: string, flags: { json?: boolean }) => {
      const spec = await readSpecFile(file);
      const out = await withFarm(env(), ({ pool, queues }) =>
        createSweepFromSpec({ pool, trialsQueue: queues.trials, spec }),
      );
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(out)}\n`);
        return;
      }
      process.stdout.write(
        `${out.sweepId}\n${out.created ? 'created' : 'already existed'}: ${out.trials} trials, ` +
          `${out.newTrials} new, ${out.enqueued} enqueued\n`,
      );
    });

  sweep
    .command('status')
    .description('trials per status and epochs done')
    .argument('<sweep>', 'sweep id, unique id prefix or name')
    .option('--json', 'print JSON')
    .option('--watch', 'keep showing progress until the sweep is done')
    .action(async (id: string, flags: { json?: boolean; watch?: boolean }) => {
      await withFarm(env(), async ({ pool, queues }) => {
        const read = () => sweepProgress({ pool, trialsQueue: queues.trials, sweep: id });
        if (!flags.watch) {
          const report = await read();
          process.stdout.write(flags.json ? jsonLine(report) : `${statusLine(report)}\n`);
          return;
        }
        await watchSweep(read, flags.json === true);
      });
    });

  sweep
    .command('resume')
    .description(
      're-enqueue every unfinished trial from PostgreSQL (after Redis lost its data, failures or a cancel)',
    )
    .argument('<sweep>', 'sweep id, unique id prefix or name')
    .option('--json', 'print JSON')
    .action(async (id: string, flags: { json?: boolean }) => {
      const out = await withFarm(env(), ({ pool, queues }) =>
        resumeSweep({ pool, trialsQueue: queues.trials, sweep: id }),
      );
      process.stdout.write(
        flags.json
          ? `${JSON.stringify(out)}\n`
          : `${out.sweepId}: ${out.requeued} re-enqueued, ${out.alreadyQueued} still queued, ${out.running} running` +
              (out.completedFromRows > 0
                ? `, ${out.completedFromRows} completed (all their epochs were already stored)\n`
                : '\n'),
      );
    });

  sweep
    .command('cancel')
    .description('cancel a sweep: waiting trials are dropped, running ones stop after their current epoch')
    .argument('<sweep>', 'sweep id, unique id prefix or name')
    .option('--json', 'print JSON')
    .action(async (id: string, flags: { json?: boolean }) => {
      const out = await withFarm(env(), ({ pool, queues }) =>
        cancelSweep({ pool, trialsQueue: queues.trials, sweep: id }),
      );
      process.stdout.write(
        flags.json
          ? `${JSON.stringify(out)}\n`
          : `${out.sweepId}: ${out.cancelledTrials} trials cancelled (${out.removedJobs} jobs removed, ` +
              `${out.stillRunning} stop after their current epoch)\n`,
      );
    });
}

export function statusLine(r: SweepProgressReport): string {
  const counts = Object.entries(r.counts)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  // The name comes from the database, where an old row may still hold a terminal escape.
  // A search plans fewer epochs than its grid: say both, the point of searching.
  const search = r.gridEpochs === r.epochsExpected ? '' : ` (search; the full grid: ${r.gridEpochs})`;
  return `${printable(r.name)} (${r.sweepId.slice(0, 8)}): ${r.status}; ${counts || 'no trials'}; epochs ${r.epochsDone}/${r.epochsExpected}${search}`;
}

/**
 * Polls PostgreSQL until the sweep is done: a progress bar for people, one JSON line per change for
 * scripts. Polling (once a second) keeps it working from any machine that can reach the database.
 */
export async function watchSweep(
  read: () => Promise<SweepProgressReport>,
  json: boolean,
): Promise<SweepProgressReport> {
  const bar = progressBar(!json, ' {name} [{bar}] {value}/{total} epochs | {counts}');
  let last = '';
  let started = false;
  try {
    for (;;) {
      const report = await read();
      const line = statusLine(report);
      if (json && line !== last) process.stdout.write(jsonLine(report));
      if (!json) {
        const payload = { name: printable(report.name), counts: line.split('; ')[1] ?? '' };
        if (!started) bar.start(report.epochsExpected, payload);
        started = true;
        bar.update(report.epochsDone, payload);
        if (!process.stderr.isTTY && line !== last) process.stderr.write(`${line}\n`);
      }
      last = line;
      if (report.done) return report;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  } finally {
    bar.stop();
  }
}
