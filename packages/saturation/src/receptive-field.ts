import { InvalidArgumentError, UnknownLayerInputError } from './errors.ts';

/**
 * One spatial operation of a network (conv, pooling, or a kernel-1 stride-1 node such as an add,
 * a batch norm or an activation). `inputs: []` means the node reads the network input.
 * Nodes are given in topological order.
 */
export interface RfNode {
  name: string;
  kernel: number;
  stride: number;
  dilation?: number;
  inputs: string[];
  /**
   * Reads its whole input at once (dense, global pooling, flatten) rather than sliding a window over
   * it: rfa_toolbox's infinite kernel. Such a node takes no part in the feature-map rule of
   * {@link unproductiveLayers}.
   */
  global?: boolean;
}

/** Receptive field `r` (pixels of the input) and jump `j` (input pixels between adjacent outputs). */
export interface RfInfo {
  receptiveField: number;
  jump: number;
}

/** The network input: one pixel sees itself, adjacent pixels are one apart. */
const NETWORK_INPUT: RfInfo = { receptiveField: 1, jump: 1 };

function checkPositiveInteger(field: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError(field, value, 'a positive integer');
  }
}

/**
 * Receptive field of every node (rfa_toolbox / "Should You Go Deeper?" recurrence):
 * `r = r_in + (k_eff − 1)·j_in`, `j = j_in·s`, with `k_eff = dilation·(k − 1) + 1`.
 *
 * With several inputs (a residual add, a concat) the node takes the input with the smallest `r`:
 * the shortest path bounds how small a feature the node can still see, which is what decides
 * whether it can still learn anything new. Its `j` comes from that same input; tensors that can be
 * added or concatenated have the same spatial grid, so every input's `j` agrees in a valid graph
 * (on a tie in `r` the smaller `j` is taken, the conservative choice for malformed graphs).
 */
export function receptiveFields(nodes: readonly RfNode[]): Map<string, RfInfo> {
  const result = new Map<string, RfInfo>();
  for (const node of nodes) {
    if (result.has(node.name)) {
      throw new InvalidArgumentError('layer name', node.name, 'unique layer names');
    }
    checkPositiveInteger(`kernel of layer '${node.name}'`, node.kernel);
    checkPositiveInteger(`stride of layer '${node.name}'`, node.stride);
    const dilation = node.dilation ?? 1;
    checkPositiveInteger(`dilation of layer '${node.name}'`, dilation);

    let input: RfInfo = NETWORK_INPUT;
    if (node.inputs.length > 0) {
      let best: RfInfo | undefined;
      for (const name of node.inputs) {
        const info = result.get(name);
        if (info === undefined) throw new UnknownLayerInputError(node.name, name);
        if (
          best === undefined ||
          info.receptiveField < best.receptiveField ||
          (info.receptiveField === best.receptiveField && info.jump < best.jump)
        ) {
          best = info;
        }
      }
      input = best ?? NETWORK_INPUT;
    }

    const effectiveKernel = dilation * (node.kernel - 1) + 1;
    result.set(node.name, {
      receptiveField: input.receptiveField + (effectiveKernel - 1) * input.jump,
      jump: input.jump * node.stride,
    });
  }
  return result;
}

/**
 * Layers predicted unproductive: rfa_toolbox's border layers, mirroring
 * `EnrichedNetworkNode.is_border` (rfa_toolbox/graphs.py) with its default minimum-receptive-field
 * provider. A node is a border layer when either
 *
 * 1. **receptive field**: its own receptive field is *larger* than `resolution` and that of every
 *    direct input is *at least* `resolution` (rfa: `input_resolution < receptive_field_min` for the
 *    node, `input_resolution <= receptive_field_min` for each predecessor). A layer whose receptive
 *    field equals the resolution is therefore not a border layer on its own account, while an input
 *    whose field equals it counts as seeing the whole image. Such a layer and everything it reads
 *    already see the whole image, so it cannot combine new spatial context and tends to show low
 *    saturation; or
 * 2. **feature map**: it slides a window (not `global`) and every direct input's feature map is no
 *    larger than its kernel (dilated, where rfa_toolbox knows no dilation), so it behaves like a
 *    dense layer (rfa: `_feature_map_size_larger_than_kernel`). The side is rfa_toolbox's estimate,
 *    `floor(resolution / jump)` (`compute_feature_map_size`), which for 'same' padding can be one
 *    less than the actual side (ceil); it is kept so that the prediction is rfa_toolbox's.
 *
 * The network input counts as an input with `r = 1` and side `resolution` (rfa_toolbox's Keras
 * ingest models it so: a kernel-1 stride-1 `InputLayer` node).
 */
export function unproductiveLayers(
  nodes: readonly RfNode[],
  rf: Map<string, RfInfo>,
  resolution: number,
): Set<string> {
  if (!Number.isFinite(resolution) || resolution <= 0) {
    throw new InvalidArgumentError('resolution', resolution, 'a positive number of pixels');
  }
  const infoOf = (layer: string, name: string): RfInfo => {
    const info = rf.get(name);
    if (info === undefined) throw new UnknownLayerInputError(layer, name);
    return info;
  };
  const result = new Set<string>();
  for (const node of nodes) {
    const own = rf.get(node.name);
    if (own === undefined) {
      throw new InvalidArgumentError(
        'rf entry',
        node.name,
        'an entry for every node (pass receptiveFields(nodes))',
      );
    }
    const inputs = node.inputs.length === 0 ? [NETWORK_INPUT] : node.inputs.map((i) => infoOf(node.name, i));
    const seesWholeImage =
      own.receptiveField > resolution && inputs.every((input) => input.receptiveField >= resolution);
    const effectiveKernel = (node.dilation ?? 1) * (node.kernel - 1) + 1;
    const kernelCoversInputs =
      node.global !== true && inputs.every((input) => Math.floor(resolution / input.jump) <= effectiveKernel);
    if (seesWholeImage || kernelCoversInputs) result.add(node.name);
  }
  return result;
}
