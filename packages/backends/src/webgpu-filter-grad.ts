import * as tf from '@tensorflow/tfjs';
import type {
  Conv2DBackpropFilterAttrs,
  KernelBackend,
  KernelFunc,
  NamedAttrMap,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs';
import { type ConvGeometry, convGeometry } from './conv-geometry.ts';

/**
 * `Conv2DBackpropFilter` for tfjs-backend-webgpu as matrix products. The stock shader gives each
 * filter weight one GPU thread that loops over every image and output pixel: 288 threads doing
 * 200,000 sequential steps each for a 3×3×1×32 filter at batch 256 and 28 px, which leaves a GPU
 * nearly idle. Instead, for each filter offset (a, b) the weights' gradient is one product
 *   dW[a, b] = X(a, b)ᵀ · dY      X(a, b): [pixels, inC], the input seen through offset (a, b)
 *                                  dY:      [pixels, outC]
 * over the `batch · outH · outW` output pixels, a long inner dimension that tfjs's matmul splits
 * across workgroups (its split-K program). kh·kw products, no im2col buffer (kh·kw times the input).
 */
export const webgpuConv2dBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs;
  const a = attrs as unknown as Conv2DBackpropFilterAttrs;
  if (x == null || dy == null) throw new TypeError('Conv2DBackpropFilter needs inputs x and dy');
  const g = convGeometry('Conv2DBackpropFilter', x.shape, a.filterShape, dy.shape, a);
  const gpu = backend as KernelBackend;
  const k = new KernelRunner(gpu);
  try {
    const perOffset: TensorInfo[] = [];
    for (let row = 0; row < g.kh; row++) {
      for (let col = 0; col < g.kw; col++)
        perOffset.push(k.temporary(offsetGradient(gpu, x, dy, g, row, col)));
    }
    const stacked = perOffset.length === 1 ? perOffset[0]! : k.run('Concat', perOffset, { axis: 0 });
    return k.run('Reshape', { x: stacked }, { shape: [g.kh, g.kw, g.inC, g.outC] }, { output: true });
  } finally {
    k.dispose();
  }
};

/** The output rows (or columns) that read input row `offset + i·stride − pad` inside the image. */
export function validOutputRange(
  offset: number,
  stride: number,
  pad: number,
  inSize: number,
  outSize: number,
): { first: number; last: number } {
  const first = Math.max(0, Math.ceil((pad - offset) / stride));
  const last = Math.min(outSize - 1, Math.floor((inSize - 1 + pad - offset) / stride));
  return { first, last };
}

/**
 * dW[row, col] as `[1, inC, outC]`. Its slices are released as soon as the product is queued, so at
 * most one offset's copies exist.
 */
function offsetGradient(
  backend: KernelBackend,
  x: TensorInfo,
  dy: TensorInfo,
  g: ConvGeometry,
  row: number,
  col: number,
): TensorInfo {
  const k = new KernelRunner(backend);
  try {
    const rows = validOutputRange(row, g.sh, g.top, g.inH, g.outH);
    const cols = validOutputRange(col, g.sw, g.left, g.inW, g.outW);
    const outRows = rows.last - rows.first + 1;
    const outCols = cols.last - cols.first + 1;
    if (outRows <= 0 || outCols <= 0) {
      // The filter tap only ever sees padding: its gradient is zero.
      return k.run('Fill', {}, { shape: [1, g.inC, g.outC], value: 0, dtype: 'float32' }, { output: true });
    }
    const inRow = rows.first * g.sh - g.top + row;
    const inCol = cols.first * g.sw - g.left + col;
    const xSeen = k.run(
      'StridedSlice',
      { x },
      sliceAttrs(
        [0, inRow, inCol, 0],
        [g.batch, inRow + (outRows - 1) * g.sh + 1, inCol + (outCols - 1) * g.sw + 1, g.inC],
        [1, g.sh, g.sw, 1],
      ),
    );
    const whole = outRows === g.outH && outCols === g.outW;
    const dySeen = whole
      ? dy
      : k.run(
          'StridedSlice',
          { x: dy },
          sliceAttrs(
            [0, rows.first, cols.first, 0],
            [g.batch, rows.last + 1, cols.last + 1, g.outC],
            [1, 1, 1, 1],
          ),
        );
    const pixels = g.batch * outRows * outCols;
    const a = k.run('Reshape', { x: xSeen }, { shape: [1, pixels, g.inC] });
    const b = k.run('Reshape', { x: dySeen }, { shape: [1, pixels, g.outC] });
    return k.run('BatchMatMul', { a, b }, { transposeA: true, transposeB: false }, { output: true });
  } finally {
    k.dispose();
  }
}

function sliceAttrs(begin: number[], end: number[], strides: number[]): NamedAttrMap {
  return {
    begin,
    end,
    strides,
    beginMask: 0,
    endMask: 0,
    ellipsisMask: 0,
    newAxisMask: 0,
    shrinkAxisMask: 0,
  };
}

/**
 * Runs other webgpu kernels on TensorInfos, as tfjs's own composite kernels do: nothing reaches the
 * engine's tape or tensor list. Results are released on `dispose` unless marked `output` (handed to the
 * caller). Releasing right after queueing is safe: the backend keeps a buffer until the GPU is done.
 */
class KernelRunner {
  private readonly temporaries: TensorInfo[] = [];

  constructor(private readonly backend: KernelBackend) {}

  run(
    name: string,
    inputs: NamedTensorInfoMap | TensorInfo[],
    attrs: NamedAttrMap,
    options: { output?: boolean } = {},
  ): TensorInfo {
    const kernel = tf.getKernel(name, 'webgpu');
    if (kernel == null) throw new Error(`the webgpu backend has no ${name} kernel`);
    // Concat takes its inputs as a list, the others by name.
    const out = kernel.kernelFunc({
      inputs: inputs as NamedTensorInfoMap,
      backend: this.backend,
      attrs,
    }) as TensorInfo;
    return options.output ? out : this.temporary(out);
  }

  /** Releases `info` with this runner's other intermediates. */
  temporary(info: TensorInfo): TensorInfo {
    this.temporaries.push(info);
    return info;
  }

  dispose(): void {
    for (const t of this.temporaries) this.backend.disposeData(t.dataId);
    this.temporaries.length = 0;
  }
}
