import type { DatasetName, TrialConfig } from '@satfarm/contracts';
import type { DescribeOptions } from './layer-graph.ts';

/** The input a network is built for, per dataset: channels per pixel and classes to tell apart. */
export interface InputShape {
  channels: number;
  classes: number;
}

/**
 * The layout of each dataset satfarm loads (what its loader in @satfarm/data returns). Only the layout
 * matters for describing a network, not the pixels.
 */
export const DATASET_INPUT_SHAPES: Readonly<Record<DatasetName, InputShape>> = {
  'fashion-mnist': { channels: 1, classes: 10 },
  cifar10: { channels: 3, classes: 10 },
  synthetic: { channels: 1, classes: 4 },
};

/** The parts of a trial config that shape its network. */
export type ArchitectureConfig = Pick<
  TrialConfig,
  'resolution' | 'widthMultiplier' | 'depth' | 'kernelSize' | 'baseWidth'
> & { dataset: Pick<TrialConfig['dataset'], 'name'> };

/**
 * The options that describe a trial's network (`describeArchitecture(config.architecture, …)`): the
 * trial's architecture options and resolution, and the input shape of its dataset — by default the
 * dataset's layout, or `input` when the caller has the loaded dataset at hand.
 */
export function architectureOptionsOf(
  config: ArchitectureConfig,
  input: InputShape = DATASET_INPUT_SHAPES[config.dataset.name],
): DescribeOptions {
  return {
    resolution: config.resolution,
    channels: input.channels,
    classes: input.classes,
    widthMultiplier: config.widthMultiplier,
    depth: config.depth,
    kernelSize: config.kernelSize,
    baseWidth: config.baseWidth,
  };
}
