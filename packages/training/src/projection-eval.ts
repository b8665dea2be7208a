import * as tf from '@tensorflow/tfjs';
import type { KRule, ProjectionResult } from '@satfarm/contracts';
import type { Dataset } from '@satfarm/data';
import { gatherBatch } from '@satfarm/data';
import type { LayerSpec } from '@satfarm/models';
import {
  basisProjection,
  kForDelta,
  mulberry32,
  projectionMatrix,
  randomOrthonormalBasis,
  symmetricEigen,
} from '@satfarm/saturation';
import { type ChannelProjection, forwardWithProjections } from './forward-with-projections.ts';

export const DEFAULT_PROJECTION_DELTAS = [0.9, 0.95, 0.99, 0.999] as const;

export interface LayerStatistics {
  mean: Float64Array;
  covariance: Float64Array;
  width: number;
}

/**
 * The saturation papers' claim, checked on a trained model: restrict *every* tracked layer's output to
 * the eigenspace of its eval covariance that keeps δ of the variance (x' = μ + V_k V_kᵀ (x − μ)) and
 * measure test accuracy; as the control, project onto a random orthonormal basis of the same k per
 * layer. A layer's output carries little beyond its saturated subspace when the first stays close to
 * the unprojected accuracy while the control falls.
 */
export async function evaluateProjections(options: {
  model: tf.LayersModel;
  tracked: readonly LayerSpec[];
  statistics: readonly LayerStatistics[];
  dataset: Dataset;
  deltas: readonly number[];
  kRule: KRule;
  seed: number;
  batchSize: number;
}): Promise<ProjectionResult[]> {
  const { tracked, statistics } = options;
  const eigen = statistics.map((s) => symmetricEigen(s.covariance, s.width));
  const random = mulberry32(options.seed ^ 0x5eed);
  const results: ProjectionResult[] = [];
  for (const delta of options.deltas) {
    const ks = eigen.map((e) => kForDelta(e.values, delta, options.kRule));
    const eigenspace = new Map<string, ChannelProjection>();
    const control = new Map<string, ChannelProjection>();
    tracked.forEach((layer, i) => {
      const { mean, width } = statistics[i]!;
      const k = ks[i]!;
      eigenspace.set(layer.name, toTensors(mean, projectionMatrix(eigen[i]!.vectors, width, k), width));
      control.set(
        layer.name,
        toTensors(mean, basisProjection(randomOrthonormalBasis(width, k, random), width, k), width),
      );
    });
    try {
      results.push({
        delta,
        k: ks.reduce((a, b) => a + b, 0),
        width: statistics.reduce((a, s) => a + s.width, 0),
        accuracy: await accuracyWith(options.model, options.dataset, eigenspace, options.batchSize),
        randomAccuracy: await accuracyWith(options.model, options.dataset, control, options.batchSize),
      });
    } finally {
      for (const p of [...eigenspace.values(), ...control.values()]) tf.dispose([p.mean, p.matrix]);
    }
  }
  return results;
}

function toTensors(mean: Float64Array, matrix: Float64Array, width: number): ChannelProjection {
  return {
    mean: tf.tensor1d(Float32Array.from(mean)),
    matrix: tf.tensor2d(Float32Array.from(matrix), [width, width]),
  };
}

async function accuracyWith(
  model: tf.LayersModel,
  dataset: Dataset,
  projections: ReadonlyMap<string, ChannelProjection>,
  batchSize: number,
): Promise<number> {
  const split = dataset.test;
  const pixels = dataset.height * dataset.width * dataset.channels;
  const order = Int32Array.from({ length: split.count }, (_, i) => i);
  let correct = 0;
  for (let start = 0; start < split.count; start += batchSize) {
    const end = Math.min(split.count, start + batchSize);
    const batch = gatherBatch(split, order, start, end, pixels);
    const hits = tf.tidy(() => {
      const x = tf.tensor4d(batch.images, [end - start, dataset.height, dataset.width, dataset.channels]);
      const logits = forwardWithProjections(model, x, projections);
      return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.tensor1d(batch.labels, 'int32')), 'int32'));
    });
    correct += (await hits.data())[0]!;
    hits.dispose();
  }
  return correct / split.count;
}
