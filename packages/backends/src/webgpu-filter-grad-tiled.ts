import type {
  Conv2DBackpropFilterAttrs,
  DataId,
  DataType,
  KernelBackend,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs';
import { convGeometry } from './conv-geometry.ts';

/*
 * `Conv2DBackpropFilter` for tfjs-backend-webgpu as one tiled WGSL kernel plus a small reduction.
 *
 * dW[kh, kw, inC, outC] is a matrix product C = Aᵀ·B with
 *   M = kh·kw·inC rows     (row m = (a·kw + b)·inC + ci: one filter tap (a, b) and input channel)
 *   N = outC columns
 *   K = batch·outH·outW    (one output pixel per step of the reduction)
 *   A[k, m] = x[img, oh·sh − top + a, ow·sw − left + b, ci]   (0 outside the image: zero padding)
 *   B[k, n] = dy[img, oh, ow, n]                                (dy is already a [K, N] matrix)
 * A is never materialised: each workgroup gathers its [TK, TM] slice of A straight from x through
 * the taps (im2col in workgroup memory; neighbouring taps re-read x mostly from cache), with no
 * copies, slices or padded tensors. K is huge
 * (200,704 for batch 256 at 28 px) and M·N small (144·16), so K is split across workgroups: split s
 * writes its partial sums to partial[s, m, n], and a second program adds the splits. Two dispatches
 * per call (one when a single split suffices), whatever the kernel size.
 *
 * This module builds tfjs-backend-webgpu program objects by hand and never imports that package,
 * which registers itself only if `navigator.gpu` exists at its first import (see
 * webgpu-kernel-choice.ts): it is safe to import before the webgpu backend is activated.
 *
 * tfjs's Conv2DBackpropFilter has no dilation attribute (conv2d's gradient refuses dilations > 1),
 * so taps are one pixel apart.
 */

/** Threads per workgroup of the main kernel, as an 8×8 grid over the output tile. */
const THREADS = 64;
const GRID = 8;
/**
 * Output pixels (rows of K) per workgroup-memory step. 32 rows keep each thread at 16 + 16 loads
 * per step for a 32×32 tile and amortise the three barriers per step over 32 multiply-add rounds,
 * while A and B tiles stay at 2 × 32·32 floats = 8 KiB (WebGPU guarantees 16 KiB).
 */
const TILE_K = 32;
/**
 * Workgroups the main kernel aims for. An H200 has 132 SMs; each keeps up to 32 workgroups of 64
 * threads resident, ~26 of these (~8.5 KiB of workgroup memory each, 228 KiB per SM): ~3.4k at once.
 * ~2k workgroups (≈ 15 per SM) hide memory latency in one wave; more would only add partial sums to
 * write and add up.
 */
const TARGET_WORKGROUPS = 2048;
/**
 * Least rows of K per split: 8 steps of TILE_K. Below that a workgroup spends as long decoding its
 * tile and writing TM·TN partial sums as multiplying; at 256 rows it reads (TM + TN)·256 inputs for
 * every TM·TN partials it writes (16× more reads than writes for a 32×32 tile).
 */
const MIN_K_PER_SPLIT = 256;
/**
 * The reduction: 256 threads per workgroup, as (256 / lanes) consecutive outputs × `lanes` threads
 * that share one output's splits, combined in workgroup memory. Lanes are the fewest (a power of two,
 * at most 32) that leave each thread at most 32 partial sums to add: one lane per output for a few
 * splits (no combining), 32 lanes of 8 outputs (still one 32-byte sector per read) for hundreds.
 */
const REDUCE_THREADS = 256;
const REDUCE_MAX_LANES = 32;
const REDUCE_SUMS_PER_THREAD = 32;

/** Per-thread outputs along one side of the tile: 1, 2 or 4 (a tile side of 8, 16 or 32). */
export type PerThread = 1 | 2 | 4;

export interface TiledFilterGradPlan {
  /** The product's sizes: M = kh·kw·inC, N = outC, K = batch·outH·outW. */
  m: number;
  n: number;
  k: number;
  /** Outputs per thread along M and N; the workgroup tile is (8·rowsPerThread) × (8·colsPerThread). */
  rowsPerThread: PerThread;
  colsPerThread: PerThread;
  tileM: number;
  tileN: number;
  tileK: number;
  /** Workgroups along K, and the rows of K each one adds up (a multiple of tileK). */
  splits: number;
  kPerSplit: number;
  /** The main kernel's grid: [N tiles, M tiles, splits]. */
  workgroups: [number, number, number];
  /** Threads adding up one output's splits in the reduction. */
  reduceLanes: number;
  /** The reduction's workgroups (0 when splits = 1 and the main kernel writes dW itself). */
  reduceWorkgroups: number;
  /** GPU dispatches per call: 1 or 2. */
  dispatches: 1 | 2;
}

/**
 * Tile sizes and K split for a filter gradient of M = kh·kw·inC rows, N = outC columns over K =
 * batch·outH·outW output pixels. Pure: unit-tested without a GPU.
 *
 * Tiles: the 8×8 threads of a workgroup cover the tile's rows and columns 1, 2 or 4 times, the
 * fewest that cover M (N) or 4: a 3×3 tap on a 1-channel image (M = 9) gets 16 rows, not 32 mostly
 * empty ones; outC = 16 gets 16 columns. 4×4 outputs per thread (a 32×32 tile) is the most: 16
 * accumulators, 8 workgroup-memory reads per 16 multiply-adds, and small layers still get several
 * tiles. Splits: enough for ~TARGET_WORKGROUPS workgroups, but at least MIN_K_PER_SPLIT rows of K
 * each, so small layers get fewer splits and big ones (M·N over ~2M) a single split with no
 * reduction. The partial sums then stay under TARGET_WORKGROUPS·32·32 floats (8 MiB).
 */
export function planTiledFilterGrad(m: number, n: number, k: number): TiledFilterGradPlan {
  for (const [name, v] of [
    ['M', m],
    ['N', n],
    ['K', k],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`Invalid ${name} '${v}' for a filter gradient`);
  }
  const rowsPerThread = perThread(m);
  const colsPerThread = perThread(n);
  const tileM = GRID * rowsPerThread;
  const tileN = GRID * colsPerThread;
  const tiles = Math.ceil(m / tileM) * Math.ceil(n / tileN);
  const wanted = Math.ceil(TARGET_WORKGROUPS / tiles);
  const most = Math.max(1, Math.floor(k / MIN_K_PER_SPLIT));
  const roughSplits = Math.min(wanted, most);
  const kPerSplit = Math.ceil(k / roughSplits / TILE_K) * TILE_K;
  // Rounding kPerSplit up can leave the last splits empty: drop them.
  const splits = Math.ceil(k / kPerSplit);
  let reduceLanes = 1;
  while (reduceLanes < REDUCE_MAX_LANES && reduceLanes * REDUCE_SUMS_PER_THREAD < splits) reduceLanes *= 2;
  return {
    m,
    n,
    k,
    rowsPerThread,
    colsPerThread,
    tileM,
    tileN,
    tileK: TILE_K,
    splits,
    kPerSplit,
    workgroups: [Math.ceil(n / tileN), Math.ceil(m / tileM), splits],
    reduceLanes,
    reduceWorkgroups: splits === 1 ? 0 : Math.ceil((m * n) / (REDUCE_THREADS / reduceLanes)),
    dispatches: splits === 1 ? 1 : 2,
  };
}

function perThread(size: number): PerThread {
  if (size <= GRID) return 1;
  if (size <= 2 * GRID) return 2;
  return 4;
}

/** What tfjs-backend-webgpu's `runWebGPUProgram` reads from a program (see its webgpu_program.js). */
interface WebgpuProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  variableNames: string[];
  uniforms: string;
  workgroupSize: [number, number, number];
  size?: boolean;
  getUserCode(): string;
}

interface ProgramUniform {
  type: 'int32';
  data: number[];
}

interface WebgpuBackend {
  runWebGPUProgram(
    program: WebgpuProgram,
    inputs: TensorInfo[],
    outputDtype: DataType,
    programDefinedUniform?: ProgramUniform[],
  ): TensorInfo;
  disposeData(dataId: DataId): boolean;
}

function webgpuBackend(backend: KernelBackend): WebgpuBackend {
  const candidate = backend as unknown as Partial<WebgpuBackend>;
  if (typeof candidate.runWebGPUProgram !== 'function') {
    throw new TypeError('the tiled Conv2DBackpropFilter needs the webgpu backend');
  }
  return candidate as WebgpuBackend;
}

/**
 * The tiled product: workgroup (i, j, s) computes rows [j·TM, (j+1)·TM) × columns [i·TN, (i+1)·TN)
 * of dW over rows [s·kPerSplit, (s+1)·kPerSplit) of K and writes them to `result` at
 * (s·M + m)·N + n: partial[s, m, n], or dW itself when there is one split (dW's flat index is m·N + n).
 */
class FilterGradTiledProgram implements WebgpuProgram {
  readonly variableNames = ['x', 'dy'];
  readonly uniforms = 'pads : vec2<i32>, strides : vec2<i32>, filterDims : vec2<i32>, kPerSplit : i32,';
  readonly workgroupSize: [number, number, number] = [THREADS, 1, 1];
  readonly dispatchLayout = { x: [2], y: [1], z: [0] };
  dispatch: [number, number, number];
  shaderKey: string;

  constructor(
    readonly outputShape: number[],
    private readonly plan: TiledFilterGradPlan,
  ) {
    this.dispatch = [...plan.workgroups];
    this.shaderKey = `satfarmFilterGradTiled_${plan.rowsPerThread}_${plan.colsPerThread}_${plan.tileK}`;
  }

  getUserCode(): string {
    const { rowsPerThread: rm, colsPerThread: rn, tileM: tm, tileN: tn, tileK: tk } = this.plan;
    return `
      const TM = ${tm};
      const TN = ${tn};
      const TK = ${tk};
      const RM = ${rm};
      const RN = ${rn};
      // Rows of K before the image: any tap added to it stays negative, so the bounds check reads 0.
      const NOWHERE = -1073741824;

      var<workgroup> tileA : array<f32, ${tk * tm}>;  // [TK][TM]: x seen through the taps
      var<workgroup> tileB : array<f32, ${tk * tn}>;  // [TK][TN]: dy
      // Per row of the K tile: the input row and column of tap (0, 0), and the image's first row.
      var<workgroup> pixel : array<vec3<i32>, TK>;

      ${mainHeader()} {
        let inH = uniforms.xShape.y;
        let inW = uniforms.xShape.z;
        let inC = uniforms.xShape.w;
        let outW = uniforms.dyShape.z;
        let outHW = uniforms.dyShape.y * outW;
        let dimN = uniforms.dyShape.w;
        let dimM = uniforms.filterDims.x * uniforms.filterDims.y * inC;
        let dimK = uniforms.dyShape.x * outHW;
        let lid = i32(localIndex);
        let m0 = i32(workgroupId.y) * TM;
        let n0 = i32(workgroupId.x) * TN;
        let part = i32(workgroupId.z);
        let kStart = part * uniforms.kPerSplit;
        let kEnd = min(dimK, kStart + uniforms.kPerSplit);

        // The A column this thread loads is fixed: one filter tap (ta, tb) and input channel ci.
        let am = lid % TM;
        let m = m0 + am;
        let tap = m / inC;
        let ci = m - tap * inC;
        let ta = tap / uniforms.filterDims.y;
        let tb = tap - ta * uniforms.filterDims.y;
        let mInside = m < dimM;
        // So is its B column.
        let bn = lid % TN;
        let n = n0 + bn;
        let nInside = n < dimN;
        // Outputs: rows ty + 8i, columns tx + 8j of the tile.
        let tx = lid % ${GRID};
        let ty = lid / ${GRID};

        var acc : array<f32, ${rm * rn}>;
        // Same count in every workgroup (uniform control flow for the barriers); rows past kEnd read 0.
        let steps = uniforms.kPerSplit / TK;
        for (var t = 0; t < steps; t++) {
          let k0 = kStart + t * TK;
          if (lid < TK) {
            let k = k0 + lid;
            var e = vec3<i32>(NOWHERE, NOWHERE, 0);
            if (k < kEnd) {
              let img = k / outHW;
              let r = k - img * outHW;
              let oh = r / outW;
              let ow = r - oh * outW;
              e = vec3<i32>(oh * uniforms.strides.x - uniforms.pads.x,
                            ow * uniforms.strides.y - uniforms.pads.y, img * inH);
            }
            pixel[lid] = e;
          }
          // dy rows k0 … k0 + TK − 1 are consecutive N-float rows: threads read along N.
          for (var i = 0; i < ${(tk * tn) / THREADS}; i++) {
            let row = lid / TN + i * ${THREADS / tn};
            let k = k0 + row;
            var v = 0.0;
            if (nInside && k < kEnd) {
              v = dy[k * dimN + n];
            }
            tileB[row * TN + bn] = v;
          }
          workgroupBarrier();
          // Threads read along M: consecutive channels, then the next tap one pixel to the right.
          for (var i = 0; i < ${(tk * tm) / THREADS}; i++) {
            let row = lid / TM + i * ${THREADS / tm};
            let e = pixel[row];
            let ih = e.x + ta;
            let iw = e.y + tb;
            var v = 0.0;
            if (mInside && ih >= 0 && ih < inH && iw >= 0 && iw < inW) {
              v = x[((e.z + ih) * inW + iw) * inC + ci];
            }
            tileA[row * TM + am] = v;
          }
          workgroupBarrier();
          for (var kk = 0; kk < TK; kk++) {
            var a : array<f32, RM>;
            var b : array<f32, RN>;
            for (var i = 0; i < RM; i++) {
              a[i] = tileA[kk * TM + ty + i * ${GRID}];
            }
            for (var j = 0; j < RN; j++) {
              b[j] = tileB[kk * TN + tx + j * ${GRID}];
            }
            for (var i = 0; i < RM; i++) {
              for (var j = 0; j < RN; j++) {
                acc[i * RN + j] = fma(a[i], b[j], acc[i * RN + j]);
              }
            }
          }
          workgroupBarrier();
        }

        for (var i = 0; i < RM; i++) {
          let om = m0 + ty + i * ${GRID};
          for (var j = 0; j < RN; j++) {
            let on = n0 + tx + j * ${GRID};
            if (om < dimM && on < dimN) {
              result[(part * dimM + om) * dimN + on] = acc[i * RN + j];
            }
          }
        }
      }
    `;
  }
}

/** dW[i] = Σ_s partial[s, i], with `lanes` threads per output (see REDUCE_THREADS). */
class SplitSumProgram implements WebgpuProgram {
  readonly variableNames = ['partial'];
  readonly uniforms = 'splits : i32,';
  readonly workgroupSize: [number, number, number] = [REDUCE_THREADS, 1, 1];
  readonly size = true;
  readonly dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  shaderKey: string;

  constructor(
    readonly outputShape: number[],
    private readonly plan: TiledFilterGradPlan,
  ) {
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    // runWebGPUProgram folds a grid over 65,535 into 2-D; getGlobalIndex unfolds it.
    this.dispatch = [plan.reduceWorkgroups, 1, 1];
    this.shaderKey = `satfarmFilterGradSplitSum_${plan.reduceLanes}`;
  }

  getUserCode(): string {
    const lanes = this.plan.reduceLanes;
    const outputs = REDUCE_THREADS / lanes;
    return `
      var<workgroup> sums : array<f32, ${REDUCE_THREADS}>;

      ${mainHeader('index')} {
        let lid = i32(localIndex);
        let wg = (index - lid) / ${REDUCE_THREADS};
        let lane = lid / ${outputs};
        let dst = wg * ${outputs} + lid % ${outputs};
        var total = 0.0;
        if (dst < uniforms.size) {
          for (var i = lane; i < uniforms.splits; i += ${lanes}) {
            total += partial[i * uniforms.size + dst];
          }
        }
        sums[lid] = total;
        workgroupBarrier();
        for (var width = ${lanes >> 1}; width > 0; width /= 2) {
          if (lane < width) {
            sums[lid] += sums[lid + width * ${outputs}];
          }
          workgroupBarrier();
        }
        if (lane == 0 && dst < uniforms.size) {
          setOutputAtIndex(dst, sums[lid]);
        }
      }
    `;
  }
}

/** tfjs-backend-webgpu's `main` header (getMainHeaderString), which its `_start` entry point calls. */
function mainHeader(index?: string): string {
  return index == null ? 'fn main()' : `fn main(${index} : i32)`;
}

/**
 * The kernel. One tiled dispatch, plus the split reduction when K is split; the partial sums are
 * released as soon as the reduction is queued (the backend keeps the buffer until the GPU is done).
 */
export const webgpuConv2dBackpropFilterTiled: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs;
  const a = attrs as unknown as Conv2DBackpropFilterAttrs;
  if (x == null || dy == null) throw new TypeError('Conv2DBackpropFilter needs inputs x and dy');
  const g = convGeometry('Conv2DBackpropFilter', x.shape, a.filterShape, dy.shape, a);
  const gpu = webgpuBackend(backend as KernelBackend);
  const filterShape = [g.kh, g.kw, g.inC, g.outC];
  const plan = planTiledFilterGrad(g.kh * g.kw * g.inC, g.outC, g.batch * g.outH * g.outW);
  const uniforms: ProgramUniform[] = [
    { type: 'int32', data: [g.top, g.left] },
    { type: 'int32', data: [g.sh, g.sw] },
    { type: 'int32', data: [g.kh, g.kw] },
    { type: 'int32', data: [plan.kPerSplit] },
  ];
  const tiledShape = plan.splits === 1 ? filterShape : [plan.splits, plan.m, plan.n];
  const tiled = gpu.runWebGPUProgram(
    new FilterGradTiledProgram(tiledShape, plan),
    [x, dy],
    'float32',
    uniforms,
  );
  if (plan.splits === 1) return tiled;
  try {
    return gpu.runWebGPUProgram(new SplitSumProgram(filterShape, plan), [tiled], 'float32', [
      { type: 'int32', data: [plan.splits] },
    ]);
  } finally {
    gpu.disposeData(tiled.dataId);
  }
};
