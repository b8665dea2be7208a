import type * as tf from '@tensorflow/tfjs';
import {
  type BatchMoments,
  CovarianceAccumulator,
  type KRule,
  saturationFromEigenvalues,
  symmetricEigenvalues,
} from '@satfarm/saturation';
import { type DeviceMoments, deviceMoments } from './batch-moments.ts';
import type { HostMoments } from './batch-readback.ts';
import { toCentred } from './host-moments.ts';

export type Mode = 'train' | 'eval';

export interface LayerSaturation {
  k: number;
  saturation: number;
}

/**
 * The raw (fast) form's float32 error in M2 grows like ε·(1 + nμ²/M2). A layer moves to it when the
 * mean is small against the spread and back to the shifted form (exact whatever the mean) when it
 * no longer is; the gap between the two thresholds keeps a layer from flapping between forms.
 */
const RAW_BELOW = 10;
const SHIFTED_ABOVE = 100;

/**
 * Online covariance of every tracked layer, one accumulator per layer and mode. Fed from the same
 * forward pass that computes the loss, so tracking costs one Gram matrix per layer and batch.
 */
export class SaturationTracker {
  private readonly accumulators: Record<Mode, CovarianceAccumulator[]>;
  /** Per layer: the form of device moments to compute for the next batch. */
  private readonly forms: DeviceMoments['form'][];
  /** Layer-batches left out because the raw form was ill-conditioned (see `merge`). */
  dropped = 0;

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
    this.forms = widths.map(() => 'shifted');
  }

  /**
   * Computes the per-batch moments of each tracked output on the device and returns them without
   * reading them back (`readBatch` reads them, `merge` takes them in), so reads can wait until the
   * device work is queued.
   */
  momentsOf(outputs: readonly tf.Tensor[]): DeviceMoments[] {
    if (!this.enabled) return [];
    if (outputs.length !== this.widths.length) {
      throw new Error(`expected ${this.widths.length} tracked outputs, got ${outputs.length}`);
    }
    return outputs.map((o, i) => deviceMoments(o, this.maxSamplesPerBatch, this.forms[i]!));
  }

  /**
   * Merges one batch's moments, already on the host, in float64. Returns the index of the first layer
   * whose statistics are not finite (nothing of that batch is merged), or -1.
   */
  merge(mode: Mode, moments: readonly HostMoments[]): number {
    if (!this.enabled) return -1;
    const bad = moments.findIndex((m) => !allFinite(m.first) || !allFinite(m.second));
    if (bad >= 0) return bad;
    const accs = this.accumulators[mode];
    const batch: (BatchMoments | undefined)[] = moments.map((m, i) => {
      const width = this.widths[i]!;
      if (m.form === 'raw') {
        const { moments: exact, meanToSpread } = toCentred(m.count, undefined, m.first, m.second, width);
        if (meanToSpread <= SHIFTED_ABOVE) return exact;
        // The mean outgrew the spread since the last batch: this batch's float32 scatter is not to be
        // trusted, so it is left out (one batch fewer in the estimate, no bias) and the layer goes
        // back to the shifted form.
        this.forms[i] = 'shifted';
        this.dropped++;
        return undefined;
      }
      // Shifted: `first` holds the pilot shift, then the column sums around it.
      const { moments: exact } = toCentred(
        m.count,
        m.first.subarray(0, width),
        m.first.subarray(width),
        m.second,
        width,
      );
      if (meanToSpreadOf(exact.count, exact.mean, exact.m2, width) < RAW_BELOW) this.forms[i] = 'raw';
      return exact;
    });
    batch.forEach((b, i) => {
      if (b) accs[i]!.merge(b);
    });
    return -1;
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

function meanToSpreadOf(
  count: number,
  mean: ArrayLike<number>,
  m2: ArrayLike<number>,
  width: number,
): number {
  let worst = 0;
  for (let i = 0; i < width; i++) {
    const spread = m2[i * width + i]!;
    const meanPart = count * mean[i]! * mean[i]!;
    const ratio = spread > 0 ? meanPart / spread : meanPart > 0 ? Number.POSITIVE_INFINITY : 0;
    if (ratio > worst) worst = ratio;
  }
  return worst;
}

function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return false;
  return true;
}
