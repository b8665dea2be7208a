import type { LayerPlan } from './layer-graph.ts';
import { conv, dense, globalAveragePool, maxPool, scaleWidth } from './layer-plans.ts';

export interface SimpleCnnOptions {
  depth: number;
  kernelSize: number;
  baseWidth: number;
  widthMultiplier: number;
  classes: number;
}

export const SIMPLE_CNN_DEFAULTS = { depth: 3, kernelSize: 3, baseWidth: 16 } as const;

/** At most this many pools, so the width tops out at 8·baseWidth. */
const MAX_POOLS = 3;

/**
 * `depth` convs (kernelSize, stride 1, 'same', batch norm, ReLU) in blocks of two, with a 2×2 stride-2
 * max-pool after conv 2, 4 and 6 whenever another conv follows it (a pool right before the global
 * average would shrink the map without giving any conv more context, and would only raise the
 * minimum resolution); the width doubles after each pool. Then global average pooling and
 * dense(classes). The layout depends on the options only, never on the resolution, so one
 * architecture has one set of layer names across a resolution sweep, and its minimum resolution
 * is 2^pools ('same' convs never shrink a map; each 'valid' pool needs a side of at least 2).
 * Depth 3: conv16, conv16, pool, conv32, gap, dense — the benchmark network.
 */
export function simpleCnnPlan(opts: SimpleCnnOptions): LayerPlan[] {
  const layers: LayerPlan[] = [];
  let previous: string | undefined;
  let pools = 0;
  for (let i = 1; i <= opts.depth; i++) {
    const width = scaleWidth(opts.baseWidth * 2 ** pools, opts.widthMultiplier);
    layers.push(conv(`conv${i}`, previous, width, { kernel: opts.kernelSize, batchNorm: true }));
    previous = `conv${i}`;
    if (i % 2 === 0 && i < opts.depth && pools < MAX_POOLS) {
      pools++;
      layers.push(maxPool(`pool${pools}`, previous, width));
      previous = `pool${pools}`;
    }
  }
  const last = layers[layers.length - 1];
  if (previous === undefined || last === undefined) throw new Error('simple-cnn needs at least one conv');
  layers.push(globalAveragePool('gap', previous, last.width));
  layers.push(dense('classifier', 'gap', opts.classes, 'linear'));
  return layers;
}
