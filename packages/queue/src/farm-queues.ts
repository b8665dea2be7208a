import { createResultsQueue, type ResultsQueue } from './results-queue.ts';
import { createTrialsQueue, type QueueOptions, type TrialsQueue } from './trials-queue.ts';

export interface FarmQueues {
  trials: TrialsQueue;
  results: ResultsQueue;
  /** Closes both queues and their connections. */
  close(): Promise<void>;
  /** Deletes every job and key of both queues under this prefix (tests; `satfarm` never calls it). */
  obliterate(): Promise<void>;
}

/** Producer handles on both queues (the CLI's sweep commands, tests). */
export function openFarmQueues(options: QueueOptions): FarmQueues {
  const trials = createTrialsQueue(options);
  const results = createResultsQueue(options);
  return {
    trials,
    results,
    async close() {
      // BullMQ crashes the process when a queue is closed while its connection is still starting (its
      // start-up promise rejects into an 'error' event after close() removed every listener). Short
      // commands that fail fast would hit that: let the connections finish starting, a few seconds at most.
      let timer: NodeJS.Timeout | undefined;
      const ready = Promise.allSettled([trials.waitUntilReady(), results.waitUntilReady()]);
      await Promise.race([ready, new Promise((resolve) => (timer = setTimeout(resolve, 3_000)))]);
      clearTimeout(timer);
      await Promise.allSettled([trials.close(), results.close()]);
    },
    async obliterate() {
      await trials.obliterate({ force: true });
      await results.obliterate({ force: true });
    },
  };
}
