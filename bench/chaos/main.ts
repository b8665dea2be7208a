/**
 * Chaos run: the same sweep twice on real Redis and PostgreSQL, once calm and once while workers are
 * SIGKILLed every few seconds, the aggregator is killed once, Redis is flushed once (then
 * `sweep resume`) and every PostgreSQL connection is terminated once. Checks that nothing was lost or
 * written twice, and that no epoch was trained twice beyond the ones the faults cut short.
 *   npx tsx bench/chaos/main.ts [--json] [--trials 36] [--epochs 4] [--workers 3] [--no-calm] …
 * Exit 0 when every invariant holds, 1 when one fails (or the run times out), 2 for a usage mistake.
 */
import { ChaosUsageError, type ChaosOptions, parseChaosArgs } from './options.ts';
import { type PhaseResult, runPhase } from './run-phase.ts';

interface ChaosReport {
  /** The sweep was searched by successive halving (`--search`). */
  search: boolean;
  trialsExpected: number;
  trialsCompleted: number;
  trialsPruned: number;
  searchDecisionProblems: number;
  staleAttemptRows: number;
  missingEpochRows: number;
  epochsRetrained: number;
  wallSeconds: number;
  calmWallSeconds: number | null;
  /** Everything else measured, for the curious. */
  epochsInterrupted: number;
  missingLayerRows: number;
  extraEpochRows: number;
  statuses: Record<string, number>;
  workerKills: number;
  aggregatorRestarts: number;
  redisFlushes: number;
  postgresDisconnects: number;
  requeuedAfterFlush: number;
  epochsTrained: number;
  calmEpochsRetrained: number | null;
  /** The epochs trained more than once (first 20). */
  retrained: { trialId: string; epoch: number; times: number }[];
  /** Invariants that failed, in words (empty when the run passed). */
  failures: string[];
}

function invariantFailures(chaos: PhaseResult, calm: PhaseResult | undefined): string[] {
  const failures: string[] = [];
  // A search ends each trial completed or pruned; a grid completes them all.
  if (chaos.trialsCompleted + chaos.trialsPruned !== chaos.trialsExpected) {
    failures.push(
      `${chaos.trialsCompleted} of ${chaos.trialsExpected} trials completed (${JSON.stringify(chaos.statuses)})`,
    );
  }
  if (chaos.staleAttemptRows !== 0)
    failures.push(`${chaos.staleAttemptRows} rows written by another attempt than the completing one`);
  if (chaos.missingEpochRows !== 0) failures.push(`${chaos.missingEpochRows} epoch rows missing`);
  if (chaos.missingLayerRows !== 0) failures.push(`${chaos.missingLayerRows} layer rows missing`);
  if (chaos.extraEpochRows !== 0) failures.push(`${chaos.extraEpochRows} epoch rows past the planned epochs`);
  if (chaos.searchDecisionProblems !== 0)
    failures.push(`${chaos.searchDecisionProblems} search decisions break successive halving`);
  if (calm !== undefined && calm.trialsPruned !== chaos.trialsPruned) {
    failures.push(`the search pruned ${chaos.trialsPruned} trials under faults, ${calm.trialsPruned} calm`);
  }
  if (chaos.epochsRetrained > chaos.epochsInterrupted) {
    failures.push(
      `${chaos.epochsRetrained} epochs trained twice, more than the ${chaos.epochsInterrupted} the faults interrupted: ` +
        JSON.stringify(chaos.retrained.slice(0, 10)),
    );
  }
  if (chaos.aggregatorRestarts !== 1 || chaos.redisFlushes !== 1 || chaos.postgresDisconnects !== 1) {
    failures.push(
      `faults not all injected (aggregator restarts ${chaos.aggregatorRestarts}, Redis flushes ` +
        `${chaos.redisFlushes}, PostgreSQL disconnects ${chaos.postgresDisconnects})`,
    );
  }
  if (calm !== undefined) {
    if (calm.trialsCompleted + calm.trialsPruned !== calm.trialsExpected)
      failures.push('the calm run did not finish every trial');
    if (calm.epochsRetrained !== 0)
      failures.push(`the calm run trained ${calm.epochsRetrained} epochs twice`);
    if (calm.staleAttemptRows + calm.missingEpochRows + calm.missingLayerRows !== 0) {
      failures.push('the calm run has rows of another attempt or missing rows');
    }
  }
  return failures;
}

async function runChaos(options: ChaosOptions, signal: AbortSignal): Promise<ChaosReport> {
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  const log = (line: string) => process.stderr.write(`chaos: ${line}\n`);
  const calm = options.calm ? await runPhase({ options, chaos: false, deadline, signal, log }) : undefined;
  if (calm) log(`calm run: ${calm.wallSeconds} s`);
  const chaos = await runPhase({ options, chaos: true, deadline, signal, log });
  log(
    `chaos run: ${chaos.wallSeconds} s, ${chaos.workerKills} workers killed, ` +
      `${chaos.epochsRetrained}/${chaos.epochsInterrupted} epochs retrained/interrupted`,
  );
  return {
    search: options.search,
    trialsExpected: chaos.trialsExpected,
    trialsCompleted: chaos.trialsCompleted,
    trialsPruned: chaos.trialsPruned,
    searchDecisionProblems: chaos.searchDecisionProblems,
    staleAttemptRows: chaos.staleAttemptRows,
    missingEpochRows: chaos.missingEpochRows,
    epochsRetrained: chaos.epochsRetrained,
    wallSeconds: chaos.wallSeconds,
    calmWallSeconds: calm?.wallSeconds ?? null,
    epochsInterrupted: chaos.epochsInterrupted,
    missingLayerRows: chaos.missingLayerRows,
    extraEpochRows: chaos.extraEpochRows,
    statuses: chaos.statuses,
    workerKills: chaos.workerKills,
    aggregatorRestarts: chaos.aggregatorRestarts,
    redisFlushes: chaos.redisFlushes,
    postgresDisconnects: chaos.postgresDisconnects,
    requeuedAfterFlush: chaos.requeuedAfterFlush,
    epochsTrained: chaos.epochsTrained,
    calmEpochsRetrained: calm?.epochsRetrained ?? null,
    retrained: chaos.retrained.slice(0, 20),
    failures: invariantFailures(chaos, calm),
  };
}

function print(report: ChaosReport, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  const rows = Object.entries(report).map(([key, value]) => `${key.padEnd(20)} ${JSON.stringify(value)}`);
  process.stdout.write(`${rows.join('\n')}\n`);
}

async function main(): Promise<number> {
  let options: ChaosOptions;
  try {
    options = parseChaosArgs(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof ChaosUsageError)) throw error;
    process.stderr.write(`chaos: ${error.message}\n`);
    return 2;
  }
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const report = await runChaos(options, abort.signal);
    print(report, options.json);
    for (const failure of report.failures) process.stderr.write(`chaos: invariant failed: ${failure}\n`);
    return report.failures.length === 0 ? 0 : 1;
  } catch (error) {
    process.stderr.write(`chaos: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

// Open handles (pools, Redis clients) are all closed by then; exit explicitly anyway so a stray timer
// in a library can never keep a finished run alive.
process.exit(await main());
