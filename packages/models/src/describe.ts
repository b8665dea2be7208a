import { ARCHITECTURES, type ArchitectureName } from '@satfarm/contracts';
import { receptiveFields } from '@satfarm/saturation';
import { InvalidArchitectureOptionError, ResolutionTooSmallError } from './errors.ts';
import type { ArchitectureGraph, DescribeOptions, LayerPlan, ShapeOptions } from './layer-graph.ts';
import { toRfNodes } from './rf-nodes.ts';
import { resnetPlan } from './resnet.ts';
import { SIMPLE_CNN_DEFAULTS, simpleCnnPlan } from './simple-cnn.ts';
import { sizeLayers } from './spatial-size.ts';
import { vggPlan } from './vgg.ts';

/** Past this side every architecture here is valid; reaching it means a layout bug, not a user error. */
const RESOLUTION_SEARCH_LIMIT = 1 << 20;

function checkPositiveInteger(field: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new InvalidArchitectureOptionError(field, value, 'a positive integer');
  }
}

function checkArchitecture(arch: unknown): asserts arch is ArchitectureName {
  if (!(ARCHITECTURES as readonly unknown[]).includes(arch)) {
    throw new InvalidArchitectureOptionError('architecture', arch, `one of ${ARCHITECTURES.join(', ')}`);
  }
}

/**
 * The layers of `arch` before the resolution is known. Options that do not apply to `arch` are
 * refused rather than ignored: two trials that differ only in an ignored option would be the same
 * network under two ids.
 */
function planArchitecture(arch: ArchitectureName, opts: ShapeOptions): LayerPlan[] {
  checkArchitecture(arch);
  checkPositiveInteger('channels', opts.channels);
  checkPositiveInteger('classes', opts.classes);
  const widthMultiplier = opts.widthMultiplier ?? 1;
  if (typeof widthMultiplier !== 'number' || !Number.isFinite(widthMultiplier) || widthMultiplier <= 0) {
    throw new InvalidArchitectureOptionError('widthMultiplier', widthMultiplier, 'a positive finite number');
  }
  if (arch !== 'simple-cnn') {
    for (const field of ['depth', 'kernelSize', 'baseWidth'] as const) {
      if (opts[field] !== undefined) {
        throw new InvalidArchitectureOptionError(
          field,
          opts[field],
          `no ${field} for ${arch} (only simple-cnn takes one)`,
        );
      }
    }
  }
  switch (arch) {
    case 'simple-cnn': {
      const depth = opts.depth ?? SIMPLE_CNN_DEFAULTS.depth;
      const kernelSize = opts.kernelSize ?? SIMPLE_CNN_DEFAULTS.kernelSize;
      const baseWidth = opts.baseWidth ?? SIMPLE_CNN_DEFAULTS.baseWidth;
      checkPositiveInteger('depth', depth);
      checkPositiveInteger('kernelSize', kernelSize);
      checkPositiveInteger('baseWidth', baseWidth);
      return simpleCnnPlan({ depth, kernelSize, baseWidth, widthMultiplier, classes: opts.classes });
    }
    case 'vgg11':
    case 'vgg13':
    case 'vgg16':
    case 'vgg19':
      return vggPlan(arch, widthMultiplier, opts.classes);
    case 'resnet18':
    case 'resnet34':
      return resnetPlan(arch, widthMultiplier, opts.classes);
  }
}

function fits(plans: readonly LayerPlan[], resolution: number): boolean {
  return sizeLayers(plans, resolution).smallestSide >= 1;
}

/**
 * Exact smallest input side for which every feature map stays at least 1×1. Output sides never
 * shrink when the input grows (ceil(n/s), floor((n−k)/s)+1 are monotone), so doubling then
 * bisecting finds it.
 */
function searchMinimumResolution(arch: ArchitectureName, plans: readonly LayerPlan[]): number {
  let high = 1;
  while (!fits(plans, high)) {
    high *= 2;
    if (high > RESOLUTION_SEARCH_LIMIT)
      throw new Error(`no resolution up to ${RESOLUTION_SEARCH_LIMIT} fits ${arch}`);
  }
  let low = Math.floor(high / 2); // does not fit (or is 0)
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (fits(plans, mid)) high = mid;
    else low = mid;
  }
  return high;
}

export function minimumResolution(arch: ArchitectureName, opts: ShapeOptions): number {
  return searchMinimumResolution(arch, planArchitecture(arch, opts));
}

/**
 * The layer graph of `arch` at `opts.resolution`, with output sides, the minimum resolution and the
 * total stride. Throws InvalidArchitectureOptionError for a bad option and ResolutionTooSmallError
 * (naming the minimum) when a feature map would vanish.
 */
export function describeArchitecture(arch: ArchitectureName, opts: DescribeOptions): ArchitectureGraph {
  const plans = planArchitecture(arch, opts);
  checkPositiveInteger('resolution', opts.resolution);
  const minResolution = searchMinimumResolution(arch, plans);
  const { layers, smallestSide } = sizeLayers(plans, opts.resolution);
  if (smallestSide < 1) throw new ResolutionTooSmallError(arch, opts.resolution, minResolution);
  // The jump of the logits is the product of strides along the network (dense/gap stride 1).
  const last = layers[layers.length - 1];
  const totalStride = last === undefined ? 1 : (receptiveFields(toRfNodes(layers)).get(last.name)?.jump ?? 1);
  return {
    architecture: arch,
    resolution: opts.resolution,
    channels: opts.channels,
    classes: opts.classes,
    layers,
    minResolution,
    totalStride,
  };
}
