import { fileURLToPath } from 'node:url';
import { bestResolutions, findSweep, resolutionSummary, sweepResults } from '@satfarm/db';
import { checkRedis, jsonLineLogger } from '@satfarm/queue';
import { createSweepFromSpec, sweepProgress } from '@satfarm/scheduler';
import type { Command } from 'commander';
import type { SatfarmEnv } from '../env.ts';
import { withFarm } from '../farm-context.ts';
import { jsonLine, printable } from '../format.ts';
import { integerFlag } from '../numbers.ts';
import { readSpecFile } from '../spec-file.ts';
import { migrateDatabase } from './db.ts';
import { resolutionTable, trialTable } from './results.ts';
import { watchSweep } from './sweep.ts';

const DEMO_SPEC = fileURLToPath(new URL('../../../../examples/demo.yaml', import.meta.url));

interface DemoFlags {
  spec: string;
  workers: number;
  json?: boolean;
}

export function registerDemo(program: Command, env: () => SatfarmEnv): void {
  program
    .command('demo')
    .description('a small real sweep end to end: migrate, create, train with workers, aggregate, recommend')
    .option('--spec <file>', 'sweep spec to run', DEMO_SPEC)
    .option('--workers <n>', 'trials trained at once (child processes)', integerFlag('--workers'), 2)
    .option('--json', 'print the results and recommendation as JSON')
    .action(async (flags: DemoFlags) => {
      await demo(flags, env());
    });
}

async function demo(flags: DemoFlags, env: SatfarmEnv): Promise<void> {
  const say = (line: string) => {
    if (!flags.json) process.stderr.write(`${line}\n`);
  };
  const spec = await readSpecFile(flags.spec);
  // Both services are checked before anything is written, each failure naming its URL and the fix.
  await checkRedis(env.redisUrl, 3_000);
  const migrated = await migrateDatabase(env.databaseUrl);
  say(`database ${migrated.database}: schema version ${migrated.current}`);

  const { startWorker } = await import('@satfarm/worker');
  const { startAggregator } = await import('@satfarm/aggregator');
  const logLines: string[] = [];
  // Service logs are kept out of the way of the progress bar and shown only if something fails.
  const logger = jsonLineLogger((line) => logLines.push(line));
  const aggregator = await startAggregator({ redisUrl: env.redisUrl, databaseUrl: env.databaseUrl, logger });
  const worker = await startWorker({
    redisUrl: env.redisUrl,
    concurrency: flags.workers,
    checkpointDir: env.checkpointDir,
    fashionMnistDir: env.fashionMnistDir,
    cifar10Dir: env.cifar10Dir,
    backend: 'auto',
    workerId: env.workerId,
    logger,
  });
  let sweepId: string;
  try {
    const created = await withFarm(env, async ({ pool, queues }) => {
      const out = await createSweepFromSpec({ pool, trialsQueue: queues.trials, spec });
      say(
        `sweep ${printable(spec.name)} (${out.sweepId.slice(0, 8)}): ${out.trials} trials` +
          (out.created ? '' : ' (created before: only unfinished trials run)') +
          `; training with ${flags.workers} worker processes`,
      );
      await watchSweep(() => sweepProgress({ pool, trialsQueue: queues.trials, sweep: out.sweepId }), false);
      return out;
    });
    sweepId = created.sweepId;
  } catch (error) {
    for (const line of logLines.slice(-20)) process.stderr.write(line);
    throw error;
  } finally {
    await worker.close();
    await aggregator.close();
  }
  await withFarm(env, async ({ pool }) => {
    const { id } = await findSweep(pool, sweepId);
    const trials = await sweepResults(pool, id);
    const best = await bestResolutions(pool, id);
    if (flags.json) {
      process.stdout.write(jsonLine({ sweepId: id, trials, recommendations: best }));
    } else {
      process.stdout.write(
        `\n${trialTable(trials)}\n\n${resolutionTable(await resolutionSummary(pool, id), best)}\n`,
      );
      const short = id.slice(0, 8);
      process.stdout.write(
        `\nMore: satfarm results ${short} --format csv\n      satfarm best ${short} --json\n` +
          `      satfarm sql "SELECT * FROM layer_resolution_summary WHERE sweep_id = '${id}'"\n`,
      );
    }
    const bad = trials.filter((t) => t.status !== 'completed');
    if (bad.length > 0) {
      throw new Error(
        `${bad.length} of ${trials.length} trials did not complete: ${bad.map((t) => `${t.trialId.slice(0, 8)} ${t.status}${t.error ? ` (${t.error})` : ''}`).join('; ')}`,
      );
    }
  });
}
