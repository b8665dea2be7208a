import { performance } from 'node:perf_hooks';
import { TrialConfig, type ArchitectureName } from '@satfarm/contracts';
import { type Dataset, normalize, syntheticDataset } from '@satfarm/data';
import {
  countActivity,
  type StepActivity as TrainingStepActivity,
  stepWindow,
  trainTrial,
} from '@satfarm/training';

export interface Network {
  label: string;
  architecture: ArchitectureName;
  resolution: number;
  widthMultiplier?: number;
  depth?: number;
  baseWidth?: number;
  channels: number;
}

/** The bench CNN: simple-cnn of depth 3 at 28 px, one channel (3 convs 16, 16, 32 with batch norm). */
export const BENCH_CNN: Network = {
  label: 'bench-cnn',
  architecture: 'simple-cnn',
  resolution: 28,
  depth: 3,
  baseWidth: 16,
  channels: 1,
};

export interface Measurement {
  samplesPerSecond: number;
  secondsPerStep: number;
  /**
   * This process's CPU seconds per timed step (user + system). On the synchronous cpu and wasm
   * backends the step runs on this thread, so this barely moves when other work shares the machine,
   * where wall time does; on webgpu it leaves out the GPU.
   */
  cpuSecondsPerStep: number;
  steps: number;
  /** Host ↔ device traffic per training step, when counted (see `countActivity`). */
  perStep?: StepActivity;
}

export interface StepActivity extends TrainingStepActivity {
  /** The input batch and its labels: the only uploads a step needs. */
  inputBytes: number;
}

/**
 * Times `steps` training steps (after `warmup` untimed ones) of one network at batch size `batch` on
 * whatever backend is active. Synthetic data of the right shape: speed does not depend on the pixels.
 */
export async function measureTraining(
  net: Network,
  opts: { batch: number; steps: number; warmup: number; tracking: boolean; backend: string; count?: boolean },
): Promise<Measurement> {
  const total = opts.steps + opts.warmup;
  const { config, dataset } = benchTrial(net, opts.batch, total);
  let timedStart = 0;
  let timedEnd = 0;
  let cpuStart = process.cpuUsage();
  let cpuTimed = { user: 0, system: 0 };
  // Counting wraps a few methods; it runs in its own measurement so it never touches the timed ones.
  const counter = opts.count ? countActivity() : undefined;
  const stepCounts = counter && stepWindow(counter, opts.warmup, total);
  try {
    await trainTrial({
      config,
      dataset,
      backend: opts.backend,
      tracking: opts.tracking,
      onBatch: (p) => {
        stepCounts?.observe(p);
        if (p.phase !== 'train') return;
        if (p.batch === opts.warmup) {
          timedStart = performance.now();
          cpuStart = process.cpuUsage();
        }
        if (p.batch === total) {
          timedEnd = performance.now();
          cpuTimed = process.cpuUsage(cpuStart);
        }
      },
    });
  } finally {
    counter?.stop();
  }
  const perStepCounts = stepCounts?.result();
  const activity: StepActivity | undefined = perStepCounts && {
    ...perStepCounts,
    inputBytes: opts.batch * (net.resolution * net.resolution * net.channels * 4 + 4),
  };
  const seconds = (timedEnd - timedStart) / 1000;
  return {
    samplesPerSecond: (opts.steps * opts.batch) / seconds,
    secondsPerStep: seconds / opts.steps,
    cpuSecondsPerStep: (cpuTimed.user + cpuTimed.system) / 1e6 / opts.steps,
    steps: opts.steps,
    ...(activity ? { perStep: activity } : {}),
  };
}

/** One epoch of `steps` batches of synthetic data of the network's shape: speed does not depend on the pixels. */
export function benchTrial(
  net: Network,
  batch: number,
  steps: number,
): { config: TrialConfig; dataset: Dataset } {
  const dataset = normalize(
    syntheticDataset({
      seed: 1,
      trainCount: steps * batch,
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
    training: { epochs: 1, batchSize: batch },
  });
  return { config, dataset };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
