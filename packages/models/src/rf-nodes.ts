import type { RfNode } from '@satfarm/saturation';
import type { LayerKind, LayerSpec } from './layer-graph.ts';

/** Layers that read their whole input at once: rfa_toolbox's infinite kernel, no sliding window. */
const GLOBAL: ReadonlySet<LayerKind> = new Set<LayerKind>(['dense', 'gap', 'flatten']);

/**
 * Every layer as a receptive-field node; add/gap/flatten/dense carry their sized kernels through
 * (see sizeLayers), and gap/flatten/dense are marked global so that the feature-map border rule,
 * which is about windows sliding over a map, leaves them out.
 */
export function toRfNodes(layers: readonly LayerSpec[]): RfNode[] {
  return layers.map((layer) => ({
    name: layer.name,
    kernel: layer.kernel,
    stride: layer.stride,
    dilation: layer.dilation,
    inputs: layer.inputs,
    ...(GLOBAL.has(layer.kind) ? { global: true } : {}),
  }));
}
