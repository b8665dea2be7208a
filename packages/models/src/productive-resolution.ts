import type { ArchitectureName } from '@satfarm/contracts';
import { describeArchitecture, minimumResolution } from './describe.ts';
import type { ShapeOptions } from './layer-graph.ts';
import { analyzeReceptiveFields } from './receptive-field.ts';

/** Past this the search gives up: no satfarm architecture needs more, and inputs this large are not CNN inputs. */
const SEARCH_LIMIT = 4096;

/**
 * The smallest input resolution at which receptive-field analysis predicts no unproductive conv layer
 * ("Should You Go Deeper?": below it, the last layers see the whole image already and form a tail).
 * Both border rules loosen as the resolution grows — conv receptive fields do not depend on it, the
 * estimated map sides floor(r / jump) never shrink — so a conv layer productive at r stays productive
 * at every larger r: binary search. Dense layers are not convs and are left out. Returns null when
 * even SEARCH_LIMIT px leaves a conv layer unproductive.
 */
export function smallestProductiveResolution(arch: ArchitectureName, opts: ShapeOptions): number | null {
  const productive = (resolution: number) =>
    analyzeReceptiveFields(describeArchitecture(arch, { ...opts, resolution })).every(
      (layer) => layer.kind !== 'conv' || !layer.unproductive,
    );
  let low = minimumResolution(arch, opts);
  if (productive(low)) return low;
  let high = SEARCH_LIMIT;
  if (!productive(high)) return null;
  // Invariant: not productive at `low`, productive at `high`.
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (productive(mid)) high = mid;
    else low = mid;
  }
  return high;
}
