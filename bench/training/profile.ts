import * as tf from '@tensorflow/tfjs';
import { trainTrial } from '@satfarm/training';
import { benchTrial, type Network } from './measure.ts';

export interface KernelTime {
  kernel: string;
  /** Calls per training step. */
  calls: number;
  /** Milliseconds of device time per training step (webgpu: timestamp queries). */
  ms: number;
  /** Share of all kernels' time. */
  share: number;
}

export interface Profile {
  steps: number;
  /** Device milliseconds of all kernels per step; undefined when the backend gave no kernel times. */
  totalMs: number | undefined;
  top: KernelTime[];
}

/**
 * Kernel times of `steps` training steps under tf.profile, per kernel name, largest first. On webgpu
 * the times come from timestamp queries (each program then runs in a pass of its own, so the step is
 * slower than in a timed run; the split between kernels is what this is for).
 */
export async function profileTraining(
  net: Network,
  batch: number,
  steps: number,
  top = 12,
): Promise<Profile> {
  const { config, dataset } = benchTrial(net, batch, steps);
  const info = await tf.profile(async () => {
    await trainTrial({ config, dataset, backend: tf.getBackend() });
  });
  const byName = new Map<string, { calls: number; ms: number }>();
  let timed = false;
  for (const k of info.kernels) {
    const entry = byName.get(k.name) ?? { calls: 0, ms: 0 };
    entry.calls += 1;
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : Number.NaN;
    if (Number.isFinite(ms)) {
      entry.ms += ms;
      timed = true;
    }
    byName.set(k.name, entry);
  }
  const total = [...byName.values()].reduce((sum, e) => sum + e.ms, 0);
  const rows = [...byName.entries()]
    .map(([kernel, e]) => ({
      kernel,
      calls: e.calls / steps,
      ms: e.ms / steps,
      share: total > 0 ? e.ms / total : 0,
    }))
    .sort((a, b) => b.ms - a.ms || b.calls - a.calls);
  return { steps, totalMs: timed ? total / steps : undefined, top: rows.slice(0, top) };
}
