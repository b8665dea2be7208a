import type { RfNode } from '@satfarm/saturation';
import type { LayerSpec } from './layer-graph.ts';

/** Every layer as a receptive-field node; add/gap/flatten/dense carry their sized kernels through. */
export function toRfNodes(layers: readonly LayerSpec[]): RfNode[] {
  return layers.map((layer) => ({
    name: layer.name,
    kernel: layer.kernel,
    stride: layer.stride,
    dilation: layer.dilation,
    inputs: layer.inputs,
  }));
}
