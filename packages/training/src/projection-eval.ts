import * as tf from '@tensorflow/tfjs';
import type { KRule, ProjectionConfig, ProjectionRow, ProjectionTest } from '@satfarm/contracts';
import type { Dataset } from '@satfarm/data';
import { gatherBatch } from '@satfarm/data';
import type { LayerSpec } from '@satfarm/models';
import {
  controlSeed,
  kForDelta,
  mulberry32,
  projectionMatrix,
  randomOrthonormalBasis,
  symmetricEigen,
} from '@satfarm/saturation';
import {
  type ChannelProjection,
  planWalk,
  type Projections,
  scoreVariants,
} from './forward-with-projections.ts';

export { DEFAULT_PROJECTION_DELTAS } from '@satfarm/contracts';

export interface LayerStatistics {
  mean: Float64Array;
  covariance: Float64Array;
  width: number;
}

/** A layer to project: its spec, its position among the tracked layers, and what its eigenspace is fitted on. */
export interface LayerToProject {
  spec: LayerSpec;
  index: number;
  statistics: LayerStatistics;
}

/**
 * The tracked layers a projection test projects, with their indices among the tracked layers. The
 * classifier (the last graph layer: its output is the logits) is left out unless asked for: phd-lab
 * puts no PCA layer behind the logits, and projecting them only measures how the answer survives a
 * rank cut, not whether a representation lives in its eigenspace.
 */
export function layersToProject(
  tracked: readonly LayerSpec[],
  classifier: string,
  includeClassifier: boolean,
): { spec: LayerSpec; index: number }[] {
  if (!tracked.some((l) => l.name === classifier)) {
    throw new Error(
      `classifier ${JSON.stringify(classifier)} is not a tracked layer (${tracked.map((l) => l.name).join(', ')})`,
    );
  }
  return tracked
    .map((spec, index) => ({ spec, index }))
    .filter(({ spec }) => includeClassifier || spec.name !== classifier);
}

/**
 * The projection test on a trained model. Per δ: each layer's output is replaced by
 * `μ + V_k V_kᵀ (x − μ)`, the k-dimensional eigenspace that keeps δ of its fitted variance, every layer
 * at once and (with `perLayer`) each alone, and test accuracy measured; as the control, the same with
 * random orthonormal bases of the same k per layer, `randomDraws` of them. A layer's output lives in
 * its eigenspace when projecting keeps accuracy while the control loses it.
 */
export async function evaluateProjections(options: {
  model: tf.LayersModel;
  layers: readonly LayerToProject[];
  dataset: Dataset;
  config: ProjectionConfig;
  kRule: KRule;
  seed: number;
  batchSize: number;
  /** After each test batch of each δ: batches done and in all. */
  onBatch?: ((done: number, total: number) => void) | undefined;
}): Promise<ProjectionTest> {
  const { layers, config } = options;
  if (layers.length === 0) throw new Error('projection test: no layer to project');
  const started = performance.now();
  const eigen = layers.map(({ statistics: s }) => symmetricEigen(s.covariance, s.width));
  // One random orthonormal basis of full width per layer and draw, its first k columns the control at
  // every δ: the random subspaces are nested like the eigenspaces, so the curve over δ is not noisier
  // than the draws themselves.
  const randomBases = layers.map(({ index, statistics: { width } }) =>
    Array.from({ length: config.randomDraws }, (_, draw) =>
      randomOrthonormalBasis(width, width, mulberry32(controlSeed(options.seed, index, draw))),
    ),
  );
  const batches = Math.ceil(options.dataset.test.count / options.batchSize);
  const rows: ProjectionRow[] = [];
  for (const [d, delta] of config.deltas.entries()) {
    const ks = eigen.map((e) => kForDelta(e.values, delta, options.kRule));
    const plan = planVariants(layers, ks, config);
    const eigenspaces = new Map<number, ChannelProjection>();
    const controls = new Map<string, ChannelProjection>();
    try {
      layers.forEach(({ statistics: { mean, width } }, i) => {
        const k = ks[i]!;
        // k = width keeps everything: such a layer is left out of every variant (P would be I).
        if (k === width) return;
        eigenspaces.set(i, toTensors(mean, projectionMatrix(eigen[i]!.vectors, width, k), width));
        randomBases[i]!.forEach((basis, draw) => {
          controls.set(`${i}:${draw}`, toTensors(mean, projectionMatrix(basis, width, k), width));
        });
      });
      const variants = plan.variants.map((v) => {
        const map = new Map<string, ChannelProjection>();
        for (const i of v.layers) {
          const projection = v.draw === undefined ? eigenspaces.get(i) : controls.get(`${i}:${v.draw}`);
          map.set(layers[i]!.spec.name, projection!);
        }
        return map;
      });
      const accuracies = await accuraciesWith(options, variants, (done) =>
        options.onBatch?.(d * batches + done, config.deltas.length * batches),
      );
      rows.push(...plan.rows(delta, accuracies));
    } finally {
      for (const p of [...eigenspaces.values(), ...controls.values()]) tf.dispose([p.mean, p.matrix]);
    }
  }
  return {
    fit: config.fit,
    includesClassifier: config.includeClassifier,
    randomDraws: config.randomDraws,
    seconds: (performance.now() - started) / 1000,
    layers: layers.map(({ spec, index, statistics }) => ({
      name: spec.name,
      index,
      width: statistics.width,
    })),
    rows,
  };
}

interface VariantPlan {
  /** Positions in `layers` projected (those with k < width). */
  layers: number[];
  /** undefined: the eigenspace; else the random draw. */
  draw: number | undefined;
}

/**
 * The passes one δ needs and how their accuracies become rows: per scope (all layers, then each layer
 * alone) the eigenspace and each random draw. A scope in which every layer keeps k = width changes
 * nothing, so its accuracy is the plain pass's and it costs no pass.
 */
function planVariants(
  layers: readonly LayerToProject[],
  ks: readonly number[],
  config: ProjectionConfig,
): {
  variants: VariantPlan[];
  rows: (delta: number, accuracies: { plain: number; variants: number[] }) => ProjectionRow[];
} {
  const reduced = (i: number) => ks[i]! < layers[i]!.statistics.width;
  const scopes: { layer: string | null; members: number[] }[] = [
    { layer: null, members: layers.map((_, i) => i) },
    ...(config.perLayer ? layers.map((l, i) => ({ layer: l.spec.name, members: [i] })) : []),
  ];
  const variants: VariantPlan[] = [];
  const slots = scopes.map(({ members }) => {
    const projected = members.filter(reduced);
    if (projected.length === 0) return undefined;
    const first = variants.length;
    for (const draw of [undefined, ...Array.from({ length: config.randomDraws }, (_, r) => r)]) {
      variants.push({ layers: projected, draw });
    }
    return first;
  });
  return {
    variants,
    rows: (delta, { plain, variants: accuracy }) =>
      scopes.map(({ layer, members }, s) => {
        const slot = slots[s];
        const at = (offset: number) => (slot === undefined ? plain : accuracy[slot + offset]!);
        return {
          delta,
          layer,
          k: members.reduce((a, i) => a + ks[i]!, 0),
          width: members.reduce((a, i) => a + layers[i]!.statistics.width, 0),
          accuracy: at(0),
          randomAccuracies: Array.from({ length: config.randomDraws }, (_, r) => at(1 + r)),
        };
      }),
  };
}

function toTensors(mean: Float64Array, matrix: Float64Array, width: number): ChannelProjection {
  return {
    mean: tf.tensor1d(Float32Array.from(mean)),
    matrix: tf.tensor2d(Float32Array.from(matrix), [width, width]),
  };
}

/** Test accuracy of the plain model and of every variant, all from one walk of the test set. */
async function accuraciesWith(
  options: { model: tf.LayersModel; dataset: Dataset; batchSize: number },
  variants: readonly Projections[],
  onBatch: (done: number) => void,
): Promise<{ plain: number; variants: number[] }> {
  const { dataset, batchSize } = options;
  const split = dataset.test;
  const walk = planWalk(options.model);
  const pixels = dataset.height * dataset.width * dataset.channels;
  const order = Int32Array.from({ length: split.count }, (_, i) => i);
  const correct = new Float64Array(variants.length + 1);
  for (let start = 0, done = 1; start < split.count; start += batchSize, done++) {
    const end = Math.min(split.count, start + batchSize);
    const batch = gatherBatch(split, order, start, end, pixels);
    const x = tf.tensor4d(batch.images, [end - start, dataset.height, dataset.width, dataset.channels]);
    const labels = tf.tensor1d(batch.labels, 'int32');
    let hits: tf.Tensor | undefined;
    try {
      const scored = scoreVariants(walk, x, variants, (logits) =>
        tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'int32')),
      );
      // One read per batch: every variant's count comes back together.
      hits = tf.tidy(() => tf.stack([scored.plain, ...scored.variants]));
      tf.dispose([scored.plain, ...scored.variants]);
      const counts = await hits.data();
      for (let v = 0; v < correct.length; v++) correct[v]! += counts[v]!;
    } finally {
      tf.dispose([x, labels]);
      hits?.dispose();
    }
    onBatch(done);
  }
  const accuracy = Array.from(correct, (c) => c / split.count);
  return { plain: accuracy[0]!, variants: accuracy.slice(1) };
}
