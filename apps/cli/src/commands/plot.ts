import { writeFileSync } from 'node:fs';
import { EpochNotStoredError, loadSweepPlot, loadTrialPlot } from '@satfarm/plot-data';
import { findSweep, findTrial, NotFoundError, type Pool, type SweepRow, type TrialResult } from '@satfarm/db';
import { layerSaturationSvg, percent, sweepSvg } from '@satfarm/plots';
import type { Command } from 'commander';
import { withPool } from '../database.ts';
import type { SatfarmEnv } from '../env.ts';
import { UsageError } from '../errors.ts';
import { printable } from '../format.ts';

/** Neither a trial nor a sweep goes by what the user typed. */
export class UnknownPlotTargetError extends Error {
  override name = 'UnknownPlotTargetError';
}

type Target =
  | { kind: 'trial'; trial: TrialResult & { sweepId: string } }
  | { kind: 'sweep'; sweep: SweepRow };

export function registerPlot(program: Command, env: () => SatfarmEnv): void {
  program
    .command('plot')
    .description(
      'write a plot as an SVG file: a trial (saturation per layer, train and eval) or a sweep (test accuracy and saturation by resolution)',
    )
    .argument('<target>', 'a trial (id or unique prefix) or a sweep (id, unique prefix or name)')
    .option('--epoch <epoch>', 'for a trial: the epoch to draw (default: the last stored)')
    .requiredOption('--out <file>', 'the SVG file to write ("-" for standard output)')
    .action(async (ref: string, flags: { epoch?: string; out: string }) => {
      const epoch = flags.epoch === undefined ? undefined : parseEpoch(flags.epoch);
      const { svg, what } = await withPool(env().databaseUrl, async (pool) => {
        const target = await resolveTarget(pool, ref);
        if (target.kind === 'sweep') {
          if (epoch !== undefined) {
            throw new UsageError(
              `--epoch: ${JSON.stringify(ref)} is a sweep, which is drawn over all its trials; give a trial for one epoch`,
            );
          }
          const input = await loadSweepPlot(pool, target.sweep);
          return {
            svg: sweepSvg(input),
            what: `sweep ${printable(target.sweep.name)} (${target.sweep.id.slice(0, 8)}): ${input.recommendations.length} architecture(s) with a recommended resolution`,
          };
        }
        const { trial } = target;
        try {
          const { input } = await loadTrialPlot(pool, trial, epoch);
          return {
            svg: layerSaturationSvg(input),
            what: `trial ${trial.trialId.slice(0, 8)} (${trial.architecture} at ${trial.resolution} px, seed ${trial.seed}), epoch ${input.epoch} of ${input.lastEpoch}, test accuracy ${percent(input.testAccuracy)}`,
          };
        } catch (error) {
          if (error instanceof EpochNotStoredError && error.epoch !== undefined) {
            throw new UsageError(`--${error.message}`);
          }
          throw error;
        }
      });
      if (flags.out === '-') {
        process.stdout.write(svg);
        return;
      }
      try {
        writeFileSync(flags.out, svg);
      } catch (error) {
        throw new UsageError(
          `--out: cannot write ${JSON.stringify(flags.out)} (${(error as Error).message})`,
        );
      }
      process.stdout.write(`wrote ${printable(flags.out)}: ${what}\n`);
    });
}

function parseEpoch(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new UsageError(`--epoch: got ${JSON.stringify(raw)}; expected a whole number ≥ 1`);
  }
  return Number(raw);
}

/**
 * Trials and sweeps share one argument: try both. A unique answer wins; a reference that fits a
 * trial and a sweep (a short hex prefix can) asks for more characters.
 */
async function resolveTarget(pool: Pool, ref: string): Promise<Target> {
  const [trial, sweep] = await Promise.allSettled([findTrial(pool, ref), findSweep(pool, ref)]);
  // An exact full id always wins, even over a sweep named like it or a name two sweeps share.
  if (trial.status === 'fulfilled' && trial.value.trialId === ref)
    return { kind: 'trial', trial: trial.value };
  if (sweep.status === 'fulfilled' && sweep.value.id === ref) return { kind: 'sweep', sweep: sweep.value };
  for (const outcome of [trial, sweep]) {
    // Ambiguity or an unreachable database says more than "not found".
    if (outcome.status === 'rejected' && !(outcome.reason instanceof NotFoundError)) throw outcome.reason;
  }
  if (trial.status === 'fulfilled' && sweep.status === 'fulfilled') {
    throw new UsageError(
      `${JSON.stringify(ref)} is ambiguous: it fits trial ${trial.value.trialId} and sweep ${sweep.value.id} (${JSON.stringify(sweep.value.name)}, created ${sweep.value.createdAt.toISOString()}); give the full id`,
    );
  }
  if (trial.status === 'fulfilled') return { kind: 'trial', trial: trial.value };
  if (sweep.status === 'fulfilled') return { kind: 'sweep', sweep: sweep.value };
  const sweepHint = (sweep.reason as Error).message.replace(/^[^:]*: /, '');
  throw new UnknownPlotTargetError(
    `no trial or sweep matches ${JSON.stringify(ref)}: give a trial id or unique prefix (\`satfarm results SWEEP\` lists them), or ${sweepHint}`,
  );
}
