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
 * Layers predicted unproductive ("border layers" in rfa_toolbox): the node's own receptive field
 * and that of every direct input are each at least `resolution`. Such a layer and everything it
 * reads already see the whole image, so it cannot combine new spatial context and tends to show
 * low saturation. The network input counts as `r = 1`.
 */
export function unproductiveLayers(
  nodes: readonly RfNode[],
  rf: Map<string, RfInfo>,
  resolution: number,
): Set<string> {
  if (!Number.isFinite(resolution) || resolution <= 0) {
    throw new InvalidArgumentError('resolution', resolution, 'a positive number of pixels');
  }
  const fieldOf = (layer: string, name: string): number => {
    const info = rf.get(name);
    if (info === undefined) throw new UnknownLayerInputError(layer, name);
    return info.receptiveField;
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
    if (own.receptiveField < resolution) continue;
    const inputFields =
      node.inputs.length === 0
        ? [NETWORK_INPUT.receptiveField]
        : node.inputs.map((i) => fieldOf(node.name, i));
    if (inputFields.every((r) => r >= resolution)) result.add(node.name);
  }
  return result;
}
