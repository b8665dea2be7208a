/**
 * The chaos run at a small size, as `npm run chaos` runs it (a child process, real Redis and
 * PostgreSQL): 9 trials on 2 workers while workers are SIGKILLed every ~2.5 s, the aggregator is killed
 * once, Redis is flushed once (then `sweep resume`) and the farm's PostgreSQL connections are cut once. Nothing may be lost, duplicated or trained twice
 * beyond the epochs the faults interrupted.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type ProcessRun, runProcess } from '../support/run-process.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function runChaos(args: string[]): Promise<ProcessRun> {
  return runProcess(['--import', 'tsx', 'bench/chaos/main.ts', ...args], { cwd: ROOT });
}

/** The numbers of the chaos report the tests compare (the rest is matched as a whole). */
interface SmallChaosReport extends Record<string, unknown> {
  epochsRetrained: number;
  epochsInterrupted: number;
  epochsTrained: number;
  workerKills: number;
}

/**
 * 9 trials of 3 epochs on 2 workers, a worker killed every ~2.5 s; passes only when the run exits 0
 * with no failed invariant. `--timeout-s` bounds the run itself: it cleans up and exits 1 when it runs out.
 */
async function runSmallChaos(extra: string[]): Promise<SmallChaosReport> {
  const run = await runChaos([
    '--json',
    ...extra,
    ...['--trials', '9', '--epochs', '3', '--workers', '2', '--kill-every-ms', '2500'],
    ...['--no-calm', '--timeout-s', '150'],
  ]);
  const report = JSON.parse(run.stdout || '{}');
  // On failure, the run's own account of what went wrong is the most useful message.
  expect({ code: run.code, failures: report.failures ?? run.stderr.slice(-2000) }).toEqual({
    code: 0,
    failures: [],
  });
  return report;
}

describe('chaos run (small)', () => {
  it('loses nothing, duplicates nothing and retrains no finished epoch', async () => {
    const report = await runSmallChaos([]);
    expect(report).toMatchObject({
      trialsExpected: 9,
      trialsCompleted: 9,
      staleAttemptRows: 0,
      missingEpochRows: 0,
      missingLayerRows: 0,
      extraEpochRows: 0,
      aggregatorRestarts: 1,
      redisFlushes: 1,
      postgresDisconnects: 1,
      calmWallSeconds: null,
    });
    expect(report.workerKills).toBeGreaterThanOrEqual(1);
    expect(report.epochsRetrained).toBeLessThanOrEqual(report.epochsInterrupted);
    // Every planned epoch's row is there (missingEpochRows above). The workers' `epoch done` lines do
    // not count every epoch: one trained by a run that lost its job right after checkpointing it is
    // not recorded by that run, and the run that took over resumes from that checkpoint.
    expect(report.epochsTrained).toBeGreaterThan(0);
  });

  it('with the search on: every trial ends completed or pruned, every decision once and by the rule', async () => {
    // 9 trials, 3 epochs, η = 2: rungs at epochs 1 and 2 keep 9 → 4 → 2 trials.
    const report = await runSmallChaos(['--search']);
    expect(report).toMatchObject({
      search: true,
      trialsExpected: 9,
      trialsCompleted: 2,
      trialsPruned: 7,
      searchDecisionProblems: 0,
      staleAttemptRows: 0,
      missingEpochRows: 0,
      missingLayerRows: 0,
      extraEpochRows: 0,
      aggregatorRestarts: 1,
      redisFlushes: 1,
      postgresDisconnects: 1,
    });
    expect(report.epochsRetrained).toBeLessThanOrEqual(report.epochsInterrupted);
  });
});
