import * as tf from '@tensorflow/tfjs';

type BatchNormalizationArgs = NonNullable<Parameters<typeof tf.layers.batchNormalization>[0]>;
type StockBatchNormalization = ReturnType<typeof tf.layers.batchNormalization>;
type LayerVariable = StockBatchNormalization['weights'][number];
type Kwargs = Parameters<StockBatchNormalization['call']>[1];

/**
 * tfjs-layers' BatchNormalization class. `@tensorflow/tfjs` exports only its factory, and a deep import
 * of `@tensorflow/tfjs-layers/dist/…` could load a second copy of tfjs-layers next to the one tfjs
 * bundles; the constructor of an instance is exactly the class the factory builds. The probe is named,
 * so it takes no number from tfjs-layers' counter of default layer names, and it never builds weights.
 */
const StockBatchNormalization = tf.layers.batchNormalization({ name: 'satfarm_batch_norm_class_probe' })
  .constructor as new (
  args?: BatchNormalizationArgs,
) => StockBatchNormalization;

/** The layer's effective settings, from its own config, so tfjs-layers' defaults (ε = 1e-3) hold. */
interface Settings {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
}

interface Weights {
  gamma: LayerVariable;
  beta: LayerVariable;
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
}

/**
 * tfjs-layers' BatchNormalization with a fused training step. In training mode tfjs-layers runs
 * `tf.moments`, a FusedBatchNorm and then, backwards, tfjs-core's FusedBatchNorm gradient (about twenty
 * ops that tile and sum over the whole activation) plus the gradients of the moments: 49 GPU dispatches
 * per layer and step on webgpu, most over the whole activation. Here the training computation is one op
 * with the closed-form gradient
 *
 *   forward:  mean = mean(x), c = x − mean, var = mean(c²), x̂ = c·rsqrt(var + ε), y = x̂·γ + β
 *   backward: dβ = Σ dy, dγ = Σ dy·x̂ = rsqrt(var + ε)·Σ dy·c, dx = γ·rsqrt(var + ε)·(dy − dβ/N − x̂·dγ/N)
 *
 * (sums over every axis but the channels, N = elements per channel). The forward pass does tfjs-layers'
 * arithmetic op for op (moments, then FusedBatchNorm with the same ε), so outputs, batch statistics and
 * moving averages are the same numbers; the gradient agrees to float32 rounding. The moving averages are
 * updated as tfjs-layers does (`moving − (moving − batch)·(1 − momentum)`, biased batch variance), but
 * inside the op's forward function, where tfjs records nothing on the gradient tape.
 *
 * On webgpu a training step of one layer is 23 dispatches instead of 49: forward 6 (one transpose to
 * channels-first, mean, centre, square, mean, FusedBatchNorm), moving averages 6 (channel-sized), backward
 * 11 (transpose of dy, two sums, one product, two FusedBatchNorms, five channel-sized ops).
 *
 * Inference, and any configuration satfarm does not build (no centre or scale, a channel axis other than
 * the last), is tfjs-layers' own code. Weights (gamma, beta, moving_mean, moving_variance, in that order),
 * config and class name are tfjs-layers', so checkpoints and saved topologies are interchangeable.
 */
export class TrainingBatchNormalization extends StockBatchNormalization {
  readonly #settings: Settings;
  #weights: Weights | undefined;

  constructor(args?: BatchNormalizationArgs) {
    super(args);
    const config = this.getConfig();
    this.#settings = {
      axis: config['axis'] as number,
      momentum: config['momentum'] as number,
      epsilon: config['epsilon'] as number,
      center: config['center'] as boolean,
      scale: config['scale'] as boolean,
    };
  }

  override build(inputShape: Parameters<StockBatchNormalization['build']>[0]): void {
    super.build(inputShape);
    const { center, scale } = this.#settings;
    if (!center || !scale) return;
    // By the last part of each weight's name: the order is tfjs-layers' business (and unchanged).
    const find = (name: string) => {
      const found = this.weights.find((w) => w.originalName.split('/').at(-1) === name);
      if (found === undefined) throw new Error(`batch norm '${this.name}' built no '${name}' weight`);
      return found;
    };
    this.#weights = {
      gamma: find('gamma'),
      beta: find('beta'),
      movingMean: find('moving_mean'),
      movingVariance: find('moving_variance'),
    };
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const weights = this.#weights;
    const { axis } = this.#settings;
    const lastAxis = x !== undefined && (axis === -1 || axis === x.rank - 1);
    if (kwargs['training'] !== true || weights === undefined || !lastAxis || x.rank < 2) {
      return super.call(inputs, kwargs);
    }
    return tf.tidy(() => {
      const { momentum, epsilon } = this.#settings;
      const { gamma, beta, movingMean, movingVariance } = weights;
      const updateMovingAverages = (mean: tf.Tensor, variance: tf.Tensor) => {
        // tfjs-layers' doMovingAverage, op for op.
        const decay = 1 - momentum;
        for (const [variable, value] of [
          [movingMean, mean],
          [movingVariance, variance],
        ] as const) {
          const original = variable.read();
          variable.write(tf.sub(original, tf.mul(tf.sub(original, value), decay)));
        }
      };
      return batchNormTraining(x, gamma.read(), beta.read(), epsilon, updateMovingAverages);
    });
  }
}

/**
 * y = (x − mean)·rsqrt(var + ε)·γ + β over the last axis, with batch statistics, as one op with a
 * closed-form gradient. `onStatistics` receives the batch mean and (biased) variance inside the op's
 * forward function: nothing it does is recorded for backprop, and its tensors are freed afterwards.
 */
export function batchNormTraining(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
  onStatistics?: (mean: tf.Tensor1D, variance: tf.Tensor1D) => void,
): tf.Tensor {
  const channels = x.shape[x.rank - 1]!;
  const count = x.size / channels;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, g, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    // Channels first, once: every reduction is then along the inner axis, which tfjs's GPU reductions
    // need (they transpose a tensor themselves otherwise, once per reduction). tfjs's moments do the
    // same arithmetic: mean over the transposed tensor, then the mean of the squared deviations.
    const xt = tf.transpose(tf.reshape(input, [count, channels]));
    const mean = tf.mean(xt, 1) as tf.Tensor1D;
    const centred = tf.sub(xt, tf.reshape(mean, [channels, 1]));
    const variance = tf.mean(tf.square(centred), 1) as tf.Tensor1D;
    const y = tf.batchNorm(input, mean, variance, b, g, epsilon);
    save([input, mean, variance, g, centred]);
    onStatistics?.(mean, variance);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [xs, m, v, gs, c] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor2D];
      const dyt = tf.transpose(tf.reshape(dy, [count, channels]));
      const dBeta = tf.sum(dyt, 1);
      const inv = tf.rsqrt(tf.add(v, epsilon));
      const dGamma = tf.mul(tf.sum(tf.mul(dyt, c), 1), inv);
      // u = x̂·dγ/N + dβ/N, with x̂ recomputed by the same kernel as the forward pass.
      const u = tf.batchNorm(xs, m, v, tf.div(dBeta, count), tf.div(dGamma, count), epsilon);
      // dx = (dy − u)·γ·rsqrt(var + ε): FusedBatchNorm again, with u as its "mean". tf.batchNorm takes a
      // mean of x's shape; its rank check wants variance and scale of the same rank, so they get leading
      // 1s (they broadcast along the last axis on cpu, wasm and webgpu alike, as in the forward pass).
      const perChannel = [...new Array<number>(dy.rank - 1).fill(1), channels];
      const [vc, gc] = [tf.reshape(v, perChannel), tf.reshape(gs, perChannel)];
      const dx = tf.batchNorm(dy, u, vc, undefined, gc, epsilon);
      return [dx, dGamma, dBeta];
    };
    return { value: y, gradFunc };
  });
  return op(x, gamma, beta);
}

/** tf.layers.batchNormalization, with the fused training step of {@link TrainingBatchNormalization}. */
export function batchNormalization(args?: BatchNormalizationArgs): TrainingBatchNormalization {
  return new TrainingBatchNormalization(args);
}
