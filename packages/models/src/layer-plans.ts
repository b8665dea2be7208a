import type { LayerPlan } from './layer-graph.ts';

/** Width after the multiplier: never below one channel. */
export function scaleWidth(width: number, multiplier: number): number {
  return Math.max(1, Math.round(width * multiplier));
}

/** A convolution, 3×3 stride 1 'same' + ReLU unless told otherwise; every conv feeds saturation tracking. */
export function conv(
  name: string,
  input: string | undefined,
  width: number,
  opts: Partial<Pick<LayerPlan, 'kernel' | 'stride' | 'padding' | 'batchNorm' | 'activation'>> = {},
): LayerPlan {
  return {
    name,
    kind: 'conv',
    inputs: input === undefined ? [] : [input],
    kernel: opts.kernel ?? 3,
    stride: opts.stride ?? 1,
    padding: opts.padding ?? 'same',
    dilation: 1,
    width,
    batchNorm: opts.batchNorm ?? false,
    activation: opts.activation ?? 'relu',
    tracked: true,
  };
}

/** 2×2 max-pool, stride 2, 'valid' (Keras default): the side becomes floor(side / 2). */
export function maxPool(name: string, input: string, width: number): LayerPlan {
  return {
    name,
    kind: 'pool',
    inputs: [input],
    kernel: 2,
    stride: 2,
    padding: 'valid',
    dilation: 1,
    width,
    batchNorm: false,
    activation: 'linear',
    tracked: false,
  };
}

export function globalAveragePool(name: string, input: string, width: number): LayerPlan {
  return {
    name,
    kind: 'gap',
    inputs: [input],
    kernel: 1, // resolved to the input side when sizes are known (see spatial-size.ts)
    stride: 1,
    padding: 'valid',
    dilation: 1,
    width,
    batchNorm: false,
    activation: 'linear',
    tracked: false,
  };
}

export function dense(name: string, input: string, units: number, activation: 'relu' | 'linear'): LayerPlan {
  return {
    name,
    kind: 'dense',
    inputs: [input],
    kernel: 1, // resolved to the input side when sizes are known (see spatial-size.ts)
    stride: 1,
    padding: 'valid',
    dilation: 1,
    width: units,
    batchNorm: false,
    activation,
    tracked: true,
  };
}

/** Element-wise sum of residual paths, then ReLU. */
export function add(name: string, inputs: string[], width: number): LayerPlan {
  return {
    name,
    kind: 'add',
    inputs,
    kernel: 1,
    stride: 1,
    padding: 'same',
    dilation: 1,
    width,
    batchNorm: false,
    activation: 'relu',
    tracked: false,
  };
}
