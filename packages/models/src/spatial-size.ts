import type { LayerPlan, LayerSpec } from './layer-graph.ts';

/** Output side of a sliding window (conv or pool) over an input of side `size`, as tfjs computes it. */
export function windowOutputSize(
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
  padding: 'same' | 'valid',
): number {
  if (padding === 'same') return Math.ceil(size / stride);
  const effectiveKernel = dilation * (kernel - 1) + 1;
  return size < effectiveKernel ? 0 : Math.floor((size - effectiveKernel) / stride) + 1;
}

export interface SizedLayers {
  layers: LayerSpec[];
  /** Smallest output side of any layer; below 1 means the resolution is too small. */
  smallestSide: number;
}

/**
 * Gives every planned layer its output side at `resolution`. Dense, flatten and global pooling
 * get a kernel equal to their input side (stride 1): for receptive fields they are a window that
 * covers the whole feature map, so `r = r_in + (side_in − 1)·j_in`.
 */
export function sizeLayers(plans: readonly LayerPlan[], resolution: number): SizedLayers {
  const sides = new Map<string, number>();
  const layers: LayerSpec[] = [];
  let smallestSide = Number.POSITIVE_INFINITY;
  for (const plan of plans) {
    const inputSides = plan.inputs.map((name) => {
      const side = sides.get(name);
      if (side === undefined)
        throw new Error(`layer '${plan.name}' reads '${name}', which is not defined before it`);
      return side;
    });
    const inputSide = inputSides[0] ?? resolution;
    if (inputSides.some((side) => side !== inputSide)) {
      throw new Error(`layer '${plan.name}' adds feature maps of different sides: ${inputSides.join(', ')}`);
    }
    let spec: LayerSpec;
    switch (plan.kind) {
      case 'conv':
      case 'pool':
        spec = {
          ...plan,
          outputSize: windowOutputSize(inputSide, plan.kernel, plan.stride, plan.dilation, plan.padding),
        };
        break;
      case 'add':
        spec = { ...plan, outputSize: inputSide };
        break;
      case 'flatten':
        // A flatten plan's width holds its input channels; its output is the whole map as a vector.
        spec = {
          ...plan,
          kernel: Math.max(1, inputSide),
          width: plan.width * inputSide * inputSide,
          outputSize: 1,
        };
        break;
      case 'dense':
      case 'gap':
        spec = { ...plan, kernel: Math.max(1, inputSide), outputSize: 1 };
        break;
    }
    sides.set(spec.name, spec.outputSize);
    smallestSide = Math.min(smallestSide, spec.outputSize);
    layers.push(spec);
  }
  return { layers, smallestSide };
}
