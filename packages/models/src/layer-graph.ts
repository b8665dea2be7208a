import type { ArchitectureName, LayerKind } from '@satfarm/contracts';

export type { LayerKind } from '@satfarm/contracts';

/**
 * One layer of an architecture, described without tfjs so that receptive-field analysis and
 * resolution validation need no tensors. `inputs: []` means the layer reads the network input.
 */
export interface LayerSpec {
  name: string;
  kind: LayerKind;
  inputs: string[];
  kernel: number;
  stride: number;
  padding: 'same' | 'valid';
  dilation: number;
  /** Output channels (conv), units (dense), channels (pool/add/gap), flattened length (flatten). */
  width: number;
  /** Spatial side of this layer's output; 1 for dense, gap and flatten. */
  outputSize: number;
  /** Applied after this layer (conv/dense/add) by the builder: batch norm first, then the activation. */
  batchNorm: boolean;
  activation: 'relu' | 'linear';
  /**
   * Whether the raw output (conv/dense output before batch norm and activation, where delve hooks
   * Conv2d/Linear) feeds saturation tracking.
   */
  tracked: boolean;
}

/** A layer before the input resolution is known: everything but its output size. */
export type LayerPlan = Omit<LayerSpec, 'outputSize'>;

export interface ArchitectureGraph {
  architecture: ArchitectureName;
  resolution: number;
  channels: number;
  classes: number;
  /** In forward (topological) order; the last layer produces the logits. */
  layers: LayerSpec[];
  /** Smallest input side for which every feature map stays at least 1×1. */
  minResolution: number;
  /** Input pixels between adjacent positions of the last spatial feature map. */
  totalStride: number;
}

export interface DescribeOptions {
  resolution: number;
  channels: number;
  classes: number;
  /** Scales every conv and hidden dense width to max(1, round(w·m)); the classifier keeps `classes`. */
  widthMultiplier?: number;
  /** simple-cnn only. */
  depth?: number;
  /** simple-cnn only. */
  kernelSize?: number;
  /** simple-cnn only. */
  baseWidth?: number;
}

/** The options that shape an architecture's layers, i.e. everything but the resolution. */
export type ShapeOptions = Omit<DescribeOptions, 'resolution'>;
