import type * as tf from '@tensorflow/tfjs';
import {
  CovarianceAccumulator,
  saturationFromEigenvalues,
  symmetricEigenvalues,
  type KRule,
} from '@satfarm/saturation';
import { deviceMoments } from './batch-moments.ts';

export type Mode = 'train' | 'eval';

export interface LayerSaturation {
  k: number;
  saturation: number;
}

/**
 * Online covariance of every tracked layer, one accumulator per layer and mode. Fed from the same
 * forward pass that computes the loss, so tracking costs one centred Gram matrix per layer and batch.
 */
export class SaturationTracker {
  private readonly accumulators: Record<Mode, CovarianceAccumulator[]>;

  constructor(
    readonly widths: readonly number[],
    private readonly maxSamplesPerBatch: number,
    /** When false, nothing is computed and every layer reads out k = 0 (benchmarks only). */
    readonly enabled = true,
  ) {
    this.accumulators = {
      train: widths.map((w) => new CovarianceAccumulator(w)),
      eval: widths.map((w) => new CovarianceAccumulator(w)),
    };
  }

  /**
   * Computes the per-batch moments of each tracked output on the device and returns them without
   * reading them back, so the caller can create them inside a gradient tape and read them after.
   */
  momentsOf(outputs: readonly tf.Tensor[]): { count: number; mean: tf.Tensor; m2: tf.Tensor }[] {
    if (outputs.length !== this.widths.length) {
      throw new Error(`expected ${this.widths.length} tracked outputs, got ${outputs.length}`);
    }
    if (!this.enabled) return [];
    return outputs.map((o) => deviceMoments(o, this.maxSamplesPerBatch));
  }

  /**
   * Reads the moments back (one small read per layer), merges them in float64 and disposes them.
   * Asynchronous reads: GPU backends in Node cannot read synchronously. Returns the index of the
   * first layer whose statistics are not finite (nothing of that batch is merged), or -1.
   */
  async absorb(
    mode: Mode,
    moments: readonly { count: number; mean: tf.Tensor; m2: tf.Tensor }[],
  ): Promise<number> {
    const accs = this.accumulators[mode];
    try {
      if (!this.enabled) return -1;
      const read = await Promise.all(moments.map((m) => Promise.all([m.mean.data(), m.m2.data()])));
      const bad = read.findIndex(([mean, m2]) => !allFinite(mean) || !allFinite(m2));
      if (bad >= 0) return bad;
      read.forEach(([mean, m2], i) => {
        accs[i]!.merge({ count: moments[i]!.count, mean, m2 });
      });
      return -1;
    } finally {
      for (const m of moments) {
        m.mean.dispose();
        m.m2.dispose();
      }
    }
  }

  /** k and saturation per layer for one mode; resets that mode's statistics (the weights have moved). */
  readout(mode: Mode, delta: number, kRule: KRule): LayerSaturation[] {
    const accs = this.accumulators[mode];
    const result = accs.map((acc) => {
      if (acc.count === 0) return { k: 0, saturation: 0 };
      // Saturation needs eigenvalues only, ~4× cheaper than the full decomposition.
      const values = symmetricEigenvalues(acc.covariance(), acc.width);
      const { k, saturation } = saturationFromEigenvalues(values, { delta, kRule });
      return { k, saturation };
    });
    for (const acc of accs) acc.reset();
    return result;
  }

  /** Mean and covariance of one layer in one mode, for projections (read before `readout` resets). */
  statistics(mode: Mode, layer: number): { mean: Float64Array; covariance: Float64Array; width: number } {
    const acc = this.accumulators[mode][layer];
    if (!acc) throw new Error(`no tracked layer ${layer}`);
    return { mean: acc.mean(), covariance: acc.covariance(), width: acc.width };
  }
}

function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return false;
  return true;
}
