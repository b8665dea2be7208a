import type { LayerKind } from '@satfarm/contracts';
import { receptiveFields, unproductiveLayers } from '@satfarm/saturation';
import type { ArchitectureGraph } from './layer-graph.ts';
import { toRfNodes } from './rf-nodes.ts';

/**
 * What receptive-field analysis predicts for a layer. `not a conv`: a dense layer, which sees its
 * whole input by construction; the border-layer prediction is about windows sliding over a map and
 * says nothing about it (rfa_toolbox's obtain_border_layers leaves such layers out by default too).
 */
export type RfPrediction = 'productive' | 'unproductive' | 'not a conv';

export interface LayerReceptiveField {
  name: string;
  kind: LayerKind;
  /** For a dense layer, the input extent its (whole-map) input covers. */
  receptiveField: number;
  /** A border layer (see unproductiveLayers in @satfarm/saturation): `prediction === 'unproductive'`. */
  unproductive: boolean;
  prediction: RfPrediction;
}

const LISTED: ReadonlySet<LayerKind> = new Set<LayerKind>(['conv', 'pool', 'dense']);

/**
 * Receptive field and predicted productivity of every conv, pool and dense layer, in forward
 * order. Adds, global pooling and flatten take part in the computation but are not listed. Dense
 * layers are listed as `not a conv`, never unproductive.
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
      const prediction: RfPrediction =
        layer.kind === 'dense' ? 'not a conv' : unproductive.has(layer.name) ? 'unproductive' : 'productive';
      return {
        name: layer.name,
        kind: layer.kind,
        receptiveField: info.receptiveField,
        unproductive: prediction === 'unproductive',
        prediction,
      };
    });
}
