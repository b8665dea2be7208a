import type { LayerPlan } from './layer-graph.ts';

/** Width after the multiplier: never below one channel. */
export function scaleWidth(width: number, multiplier: number): number {
  return Math.max(1, Math.round(width * multiplier));
}

/**
 * A plan with what most layers share: 1×1, stride 1, 'valid', no dilation, no batch norm, linear, not
 * tracked; `rest` says how this one differs (the keys keep this order).
 */
function plan(
  name: string,
  kind: LayerPlan['kind'],
  inputs: string[],
  width: number,
  rest: Partial<LayerPlan> = {},
): LayerPlan {
  return {
    name,
    kind,
    inputs,
    kernel: 1,
    stride: 1,
    padding: 'valid',
    dilation: 1,
    width,
    batchNorm: false,
    activation: 'linear',
    tracked: false,
    ...rest,
  };
}

/** A convolution, 3×3 stride 1 'same' + ReLU unless told otherwise; every conv feeds saturation tracking. */
export function conv(
  name: string,
  input: string | undefined,
  width: number,
  opts: Partial<Pick<LayerPlan, 'kernel' | 'stride' | 'padding' | 'batchNorm' | 'activation'>> = {},
): LayerPlan {
  return plan(name, 'conv', input === undefined ? [] : [input], width, {
    kernel: opts.kernel ?? 3,
    stride: opts.stride ?? 1,
    padding: opts.padding ?? 'same',
    batchNorm: opts.batchNorm ?? false,
    activation: opts.activation ?? 'relu',
    tracked: true,
  });
}

/** 2×2 max-pool, stride 2, 'valid' (Keras default): the side becomes floor(side / 2). */
export function maxPool(name: string, input: string, width: number): LayerPlan {
  return plan(name, 'pool', [input], width, { kernel: 2, stride: 2 });
}

/** Its kernel is resolved to the input side when sizes are known (see spatial-size.ts). */
export function globalAveragePool(name: string, input: string, width: number): LayerPlan {
  return plan(name, 'gap', [input], width);
}

/** Its kernel is resolved to the input side when sizes are known (see spatial-size.ts). */
export function dense(name: string, input: string, units: number, activation: 'relu' | 'linear'): LayerPlan {
  return plan(name, 'dense', [input], units, { activation, tracked: true });
}

/** Element-wise sum of residual paths, then ReLU. */
export function add(name: string, inputs: string[], width: number): LayerPlan {
  return plan(name, 'add', inputs, width, { padding: 'same', activation: 'relu' });
}
