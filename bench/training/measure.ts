import { TrialConfig, type ArchitectureName } from '@satfarm/contracts';
import { normalize, syntheticDataset } from '@satfarm/data';
import { trainTrial } from '@satfarm/training';

export interface Network {
  label: string;
  architecture: ArchitectureName;
  resolution: number;
  widthMultiplier?: number;
  depth?: number;
  baseWidth?: number;
  channels: number;
}

export interface Measurement {
  samplesPerSecond: number;
  secondsPerStep: number;
  steps: number;
}

/**
 * Times `steps` training steps (after `warmup` untimed ones) of one network at batch size `batch` on
 * whatever backend is active. Synthetic data of the right shape: speed does not depend on the pixels.
 */
export async function measureTraining(
  net: Network,
  opts: { batch: number; steps: number; warmup: number; tracking: boolean; backend: string },
): Promise<Measurement> {
  const total = opts.steps + opts.warmup;
  const dataset = normalize(
    syntheticDataset({
      seed: 1,
      trainCount: total * opts.batch,
      testCount: 1,
      size: net.resolution,
      channels: net.channels,
      classes: 10,
    }),
  );
  const config = TrialConfig.parse({
    architecture: net.architecture,
    resolution: net.resolution,
    seed: 1,
    widthMultiplier: net.widthMultiplier ?? 1,
    depth: net.depth,
    baseWidth: net.baseWidth,
    dataset: { name: 'synthetic' },
    training: { epochs: 1, batchSize: opts.batch },
  });
  let timedStart = 0;
  let timedEnd = 0;
  await trainTrial({
    config,
    dataset,
    backend: opts.backend,
    tracking: opts.tracking,
    onBatch: (p) => {
      if (p.phase !== 'train') return;
      if (p.batch === opts.warmup) timedStart = performance.now();
      if (p.batch === total) timedEnd = performance.now();
    },
  });
  const seconds = (timedEnd - timedStart) / 1000;
  return {
    samplesPerSecond: (opts.steps * opts.batch) / seconds,
    secondsPerStep: seconds / opts.steps,
    steps: opts.steps,
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
