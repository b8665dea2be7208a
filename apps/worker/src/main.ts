// Standalone worker process: `node --import tsx apps/worker/src/main.ts [--concurrency N] [--gpus 0,1] …`.
// `satfarm worker` is the same over the CLI's env and flags. SIGTERM/SIGINT: stop after the current
// epochs' checkpoints, hand the trials back to the queue, exit 0.
import { escapeControlCharacters } from '@satfarm/contracts';
import { parseWorkerArgs } from './cli-args.ts';
import { startWorker } from './start-worker.ts';

try {
  const worker = await startWorker(parseWorkerArgs(process.argv.slice(2), process.env));
  const stop = () => {
    worker.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (error) {
  // Messages quote paths, URLs and ids: their control characters are escaped, as the CLI does.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`satfarm worker: ${escapeControlCharacters(message)}\n`);
  process.exit(1);
}
