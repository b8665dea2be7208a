import type { LayerPlan } from './layer-graph.ts';
import { add, conv, dense, globalAveragePool, scaleWidth } from './layer-plans.ts';

export type ResnetName = 'resnet18' | 'resnet34';

const BLOCKS: Record<ResnetName, number[]> = { resnet18: [2, 2, 2, 2], resnet34: [3, 4, 6, 3] };
const STAGE_WIDTHS = [64, 128, 256, 512];
const STAGE_STRIDES = [1, 2, 2, 2];

/**
 * CIFAR-style ResNet with basic blocks (He et al.): a 3×3 stride-1 stem (BN + ReLU, no max-pool),
 * four stages at widths 64/128/256/512 whose first block strides 1, 2, 2, 2. A block is
 * conv3×3 (BN, ReLU) → conv3×3 (BN), plus the block input — through a 1×1 projection conv + BN
 * when the stride or width changes — then ReLU after the add. Every conv is 'same', so a map of
 * side n becomes ceil(n/2) and never vanishes: the minimum resolution is 1 (total stride 8).
 * Names: `conv1` (stem), `stage{s}_block{b}_conv1|conv2|shortcut|add`, `gap`, `classifier`.
 */
export function resnetPlan(name: ResnetName, widthMultiplier: number, classes: number): LayerPlan[] {
  let width = scaleWidth(STAGE_WIDTHS[0] ?? 64, widthMultiplier);
  const layers: LayerPlan[] = [conv('conv1', undefined, width, { batchNorm: true })];
  let previous = 'conv1';
  BLOCKS[name].forEach((blocks, stageIndex) => {
    const stageWidth = scaleWidth(STAGE_WIDTHS[stageIndex] ?? 512, widthMultiplier);
    for (let b = 0; b < blocks; b++) {
      const stride = b === 0 ? (STAGE_STRIDES[stageIndex] ?? 1) : 1;
      const prefix = `stage${stageIndex + 1}_block${b + 1}`;
      layers.push(conv(`${prefix}_conv1`, previous, stageWidth, { stride, batchNorm: true }));
      layers.push(
        conv(`${prefix}_conv2`, `${prefix}_conv1`, stageWidth, { batchNorm: true, activation: 'linear' }),
      );
      let skip = previous;
      if (stride !== 1 || stageWidth !== width) {
        skip = `${prefix}_shortcut`;
        layers.push(
          conv(skip, previous, stageWidth, { kernel: 1, stride, batchNorm: true, activation: 'linear' }),
        );
      }
      layers.push(add(`${prefix}_add`, [`${prefix}_conv2`, skip], stageWidth));
      previous = `${prefix}_add`;
      width = stageWidth;
    }
  });
  layers.push(globalAveragePool('gap', previous, width));
  layers.push(dense('classifier', 'gap', classes, 'linear'));
  return layers;
}
