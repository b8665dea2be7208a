// Standalone worker process: `node --import tsx apps/worker/src/main.ts [--concurrency N] [--gpus 0,1] …`.
// `satfarm worker` is the same over the CLI's env and flags. SIGTERM/SIGINT: stop after the current
// epochs' checkpoints, hand the trials back to the queue, exit 0.
import { runService } from '@satfarm/service';
import { parseWorkerArgs } from './cli-args.ts';
import { startWorker } from './start-worker.ts';

await runService('satfarm worker', () => startWorker(parseWorkerArgs(process.argv.slice(2), process.env)));
