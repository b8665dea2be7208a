import type { LayerKind } from '@satfarm/contracts';
import { receptiveFields, unproductiveLayers } from '@satfarm/saturation';
import type { ArchitectureGraph } from './layer-graph.ts';
import { toRfNodes } from './rf-nodes.ts';

export interface LayerReceptiveField {
  name: string;
  kind: LayerKind;
  receptiveField: number;
  /** Its receptive field and those of all its direct inputs reach the input resolution. */
  unproductive: boolean;
}

const LISTED: ReadonlySet<LayerKind> = new Set<LayerKind>(['conv', 'pool', 'dense']);

/**
 * Receptive field and predicted productivity of every conv, pool and dense layer, in forward
 * order. Adds, global pooling and flatten take part in the computation but are not listed.
 */
export function analyzeReceptiveFields(graph: ArchitectureGraph): LayerReceptiveField[] {
  const nodes = toRfNodes(graph.layers);
  const rf = receptiveFields(nodes);
  const unproductive = unproductiveLayers(nodes, rf, graph.resolution);
  return graph.layers
    .filter((layer) => LISTED.has(layer.kind))
    .map((layer) => {
      const info = rf.get(layer.name);
      if (info === undefined) throw new Error(`no receptive field computed for layer '${layer.name}'`);
      return {
        name: layer.name,
        kind: layer.kind,
        receptiveField: info.receptiveField,
        unproductive: unproductive.has(layer.name),
      };
    });
}
