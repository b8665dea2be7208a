import { type TrialConfig, variantOf } from '@satfarm/contracts';
import { architectureOptionsOf, minimumResolution } from '@satfarm/models';

export interface TrialProblem {
  architecture: string;
  resolution: number;
  /** Options besides the resolution that shape the network (`widthMultiplier=1,depth=5`). */
  variant: string;
  problem: string;
  /** Smallest valid resolution for this architecture and variant, when the problem is the resolution. */
  minimum?: number | undefined;
}

/** One or more trials of a spec can never train; nothing was written or enqueued. */
export class InvalidSweepTrialsError extends Error {
  override readonly name = 'InvalidSweepTrialsError';
  constructor(readonly problems: readonly TrialProblem[]) {
    const lines = problems.map(
      (p) => `  - ${p.architecture} at resolution ${p.resolution} (${p.variant}): ${p.problem}`,
    );
    super(
      `the sweep has ${problems.length} invalid trial configuration${problems.length === 1 ? '' : 's'}; ` +
        `nothing was written or enqueued:\n${lines.join('\n')}`,
    );
  }
}

/**
 * Checks every trial against its architecture before anything is written: the resolution must reach
 * the network's minimum (no feature map below 1×1) and the options must fit the architecture. Each
 * distinct (architecture, variant, resolution) is reported once; seeds do not change the answer.
 */
export function validateTrials(trials: readonly TrialConfig[]): void {
  const problems: TrialProblem[] = [];
  const seen = new Set<string>();
  const minimums = new Map<string, number | Error>();
  for (const config of trials) {
    const variant = variantOf(config);
    const key = `${config.architecture}|${variant}|${config.resolution}|${config.dataset.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const shapeKey = `${config.architecture}|${variant}|${config.dataset.name}`;
    let minimum = minimums.get(shapeKey);
    if (minimum === undefined) {
      try {
        const { resolution: _resolution, ...shape } = architectureOptionsOf(config);
        minimum = minimumResolution(config.architecture, shape);
      } catch (error) {
        minimum = error instanceof Error ? error : new Error(String(error));
      }
      minimums.set(shapeKey, minimum);
    }
    const base = { architecture: config.architecture, resolution: config.resolution, variant };
    if (minimum instanceof Error) problems.push({ ...base, problem: minimum.message });
    else if (config.resolution < minimum) {
      problems.push({
        ...base,
        minimum,
        problem: `resolution ${config.resolution} is below the minimum of ${minimum} for ${config.architecture} (feature maps would shrink below 1×1)`,
      });
    }
  }
  if (problems.length > 0) throw new InvalidSweepTrialsError(problems);
}
