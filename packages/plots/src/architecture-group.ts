import type {
  LayerResolutionCell,
  RecommendedResolution,
  ResolutionPoint,
  SearchRungPoint,
  SweepPlotInput,
} from './types.ts';

/** One architecture (and variant) of a sweep: its own accuracy chart and heatmap. */
export interface ArchitectureGroup {
  architecture: string;
  variant: string;
  resolutions: number[];
  points: ResolutionPoint[];
  recommended: RecommendedResolution | undefined;
  layers: { layerIndex: number; layerName: string; kind: string; width: number }[];
  cells: Map<string, LayerResolutionCell>;
  /** Rungs of a successive-halving search, in order (empty for a grid). */
  rungs: SearchRungPoint[];
}

/** Splits a sweep into architecture (and variant) groups, resolutions ascending, layers in forward order. */
export function groupByArchitecture(input: SweepPlotInput): ArchitectureGroup[] {
  const groups = new Map<string, ArchitectureGroup>();
  const get = (architecture: string, variant: string) => {
    const key = JSON.stringify([architecture, variant]);
    let g = groups.get(key);
    if (g === undefined) {
      g = {
        architecture,
        variant,
        resolutions: [],
        points: [],
        recommended: undefined,
        layers: [],
        cells: new Map(),
        rungs: [],
      };
      groups.set(key, g);
    }
    return g;
  };
  for (const p of input.summary) get(p.architecture, p.variant).points.push(p);
  for (const c of input.layers) {
    const g = get(c.architecture, c.variant);
    g.cells.set(cellKey(c.layerIndex, c.resolution), c);
    if (!g.layers.some((l) => l.layerIndex === c.layerIndex)) g.layers.push(c);
  }
  for (const r of input.recommendations) get(r.architecture, r.variant).recommended = r;
  for (const r of input.rungs ?? []) get(r.architecture, r.variant).rungs.push(r);
  for (const g of groups.values()) {
    g.resolutions = [
      ...new Set([...g.points.map((p) => p.resolution), ...[...g.cells.values()].map((c) => c.resolution)]),
    ].sort((a, b) => a - b);
    g.layers.sort((a, b) => a.layerIndex - b.layerIndex);
    g.points.sort((a, b) => a.resolution - b.resolution);
    g.rungs.sort((a, b) => a.rung - b.rung);
  }
  return [...groups.values()].sort((a, b) =>
    a.architecture === b.architecture
      ? a.variant.localeCompare(b.variant)
      : a.architecture.localeCompare(b.architecture),
  );
}

export function cellKey(layerIndex: number, resolution: number): string {
  return `${layerIndex}@${resolution}`;
}
