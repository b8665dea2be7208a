import { BACKENDS, BackendName } from '@satfarm/contracts';
import { DEFAULT_PREFIX, jsonLineLogger } from '@satfarm/queue';
import type { Command } from 'commander';
import type { SatfarmEnv } from '../env.ts';
import { UsageError } from '../errors.ts';
import { integerFlag } from '../numbers.ts';

/** Resolves on the first SIGTERM or SIGINT: long-running verbs then close cleanly. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => resolve(signal);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

const stderrLogger = () => jsonLineLogger((line) => process.stderr.write(line));

export function registerServices(program: Command, env: () => SatfarmEnv): void {
  program
    .command('worker')
    .description('train trials from the queue (each in a sandboxed child process) until SIGTERM')
    .option(
      '--concurrency <n>',
      'trials trained at once, one child process each (default 1; with --gpus, one per GPU, and the total ' +
        'is spread evenly over the GPUs)',
      integerFlag('--concurrency'),
    )
    .option(
      '--gpus <list>',
      'GPU ids as nvidia-smi numbers them (e.g. 0,1,3): one worker per GPU in this process, its trainers pinned to it',
    )
    .option('--backend <name>', `compute backend (${BACKENDS.join(', ')})`, 'auto')
    .option('--prefix <prefix>', 'BullMQ key prefix', DEFAULT_PREFIX)
    .option(
      '--checkpoint-store <store>',
      "where checkpoints go: 'postgres' (DATABASE_URL's database, the default) or 'file:/dir' " +
        '(a directory every worker mounts); default: CHECKPOINT_STORE',
    )
    .action(
      async (flags: {
        concurrency?: number;
        gpus?: string;
        backend: string;
        prefix: string;
        checkpointStore?: string;
      }) => {
        const backend = BackendName.safeParse(flags.backend);
        if (!backend.success) {
          throw new UsageError(
            `--backend: got ${JSON.stringify(flags.backend)}; expected one of ${BACKENDS.join(', ')}`,
          );
        }
        const { startWorker, parseGpuList, InvalidWorkerOptionError, WorkerUsageError } = await import(
          '@satfarm/worker'
        );
        const asUsageError = (error: unknown): unknown =>
          error instanceof WorkerUsageError || error instanceof InvalidWorkerOptionError
            ? new UsageError(error.message, { cause: error })
            : error;
        let gpus: string[] | undefined;
        try {
          gpus = flags.gpus === undefined ? undefined : parseGpuList(flags.gpus, '--gpus');
        } catch (error) {
          throw asUsageError(error);
        }
        const e = env();
        const worker = await startWorker({
          redisUrl: e.redisUrl,
          prefix: flags.prefix,
          concurrency: flags.concurrency,
          gpus,
          databaseUrl: e.databaseUrl,
          checkpointStore: flags.checkpointStore ?? e.checkpointStore,
          checkpointDir: e.checkpointDir,
          fashionMnistDir: e.fashionMnistDir,
          cifar10Dir: e.cifar10Dir,
          backend: backend.data,
          workerId: e.workerId,
          logger: stderrLogger(),
        }).catch((error: unknown) => {
          // A bad option is found before anything is started: a command-line mistake (exit 2).
          throw asUsageError(error);
        });
        await untilSignal();
        // Running trials stop after their current epoch's checkpoint and go back to the queue.
        await worker.close();
      },
    );

  program
    .command('aggregator')
    .description('write results from the queue into PostgreSQL in batches until SIGTERM')
    .option('--prefix <prefix>', 'BullMQ key prefix', DEFAULT_PREFIX)
    .action(async (flags: { prefix: string }) => {
      const { startAggregator } = await import('@satfarm/aggregator');
      const e = env();
      const aggregator = await startAggregator({
        redisUrl: e.redisUrl,
        databaseUrl: e.databaseUrl,
        prefix: flags.prefix,
        logger: stderrLogger(),
      });
      await untilSignal();
      await aggregator.close();
    });
}
