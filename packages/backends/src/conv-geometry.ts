import * as tf from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs } from '@tensorflow/tfjs';
import { UnsupportedConvGradError } from './errors.ts';

/**
 * Sizes of the forward NHWC convolution that a gradient kernel differentiates:
 * x `[batch, inH, inW, inC]`, filter `[kh, kw, inC, outC]`, dy `[batch, outH, outW, outC]`,
 * strides `sh, sw`, and the zero padding tfjs applied before the first row/column (`top`, `left`).
 * Padding after the last row follows from these and is not needed.
 */
export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  top: number;
  left: number;
}

type Shape4 = [number, number, number, number];
type ConvAttrs = Pick<Conv2DBackpropFilterAttrs, 'strides' | 'pad' | 'dataFormat' | 'dimRoundingMode'>;

/** Geometry of a conv from tfjs kernel attributes, with tfjs's own padding rules (same/valid/explicit). */
export function convGeometry(
  kernel: string,
  xShape: readonly number[],
  filterShape: readonly number[],
  dyShape: readonly number[],
  attrs: ConvAttrs,
): ConvGeometry {
  if (attrs.dataFormat !== 'NHWC') {
    throw new UnsupportedConvGradError(
      kernel,
      'dataFormat',
      attrs.dataFormat,
      "'NHWC' (the wasm backend's only layout)",
    );
  }
  const info = tf.backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const expected = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  if (dyShape.length !== 4 || expected.some((d, i) => d !== dyShape[i])) {
    throw new UnsupportedConvGradError(
      kernel,
      'dy shape',
      dyShape,
      `[${expected.join(', ')}] for these attributes`,
    );
  }
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    kh: info.filterHeight,
    kw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
  };
}
