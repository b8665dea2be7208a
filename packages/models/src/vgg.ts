import type { LayerPlan } from './layer-graph.ts';
import { conv, dense, globalAveragePool, maxPool, scaleWidth } from './layer-plans.ts';

export type VggName = 'vgg11' | 'vgg13' | 'vgg16' | 'vgg19';

/** Conv widths per stack, configurations A, B, D, E of Simonyan & Zisserman; a pool ends each stack. */
const VGG_STACKS: Record<VggName, number[][]> = {
  vgg11: [[64], [128], [256, 256], [512, 512], [512, 512]],
  vgg13: [
    [64, 64],
    [128, 128],
    [256, 256],
    [512, 512],
    [512, 512],
  ],
  vgg16: [
    [64, 64],
    [128, 128],
    [256, 256, 256],
    [512, 512, 512],
    [512, 512, 512],
  ],
  vgg19: [
    [64, 64],
    [128, 128],
    [256, 256, 256, 256],
    [512, 512, 512, 512],
    [512, 512, 512, 512],
  ],
};

/** Hidden classifier width (CIFAR-style VGG uses one 512-unit layer instead of two of 4096). */
const HIDDEN_UNITS = 512;

/**
 * CIFAR-style VGG: 3×3 stride-1 'same' convs with batch norm + ReLU, a 2×2 stride-2 max-pool after
 * each of the five stacks (total stride 32), global average pooling, dense(512·m) + ReLU and
 * dense(classes). Convs are named conv1…convN in forward order, pools pool1…pool5.
 */
export function vggPlan(name: VggName, widthMultiplier: number, classes: number): LayerPlan[] {
  const layers: LayerPlan[] = [];
  let previous: string | undefined;
  let convs = 0;
  let width = 0;
  VGG_STACKS[name].forEach((stack, index) => {
    for (const baseWidth of stack) {
      convs++;
      width = scaleWidth(baseWidth, widthMultiplier);
      layers.push(conv(`conv${convs}`, previous, width, { batchNorm: true }));
      previous = `conv${convs}`;
    }
    layers.push(maxPool(`pool${index + 1}`, `conv${convs}`, width));
    previous = `pool${index + 1}`;
  });
  layers.push(globalAveragePool('gap', `pool${VGG_STACKS[name].length}`, width));
  layers.push(dense('fc1', 'gap', scaleWidth(HIDDEN_UNITS, widthMultiplier), 'relu'));
  layers.push(dense('classifier', 'fc1', classes, 'linear'));
  return layers;
}
