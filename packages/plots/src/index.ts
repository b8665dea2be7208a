export { trialCurvesSvg } from './curves-plot.ts';
export { meanStd, percent } from './format.ts';
export { layerSaturationSvg } from './layer-saturation-plot.ts';
export { escapeXml } from './markup.ts';
export { projectionSvg } from './projection-plot.ts';
export { InvalidPlotOptionError } from './svg-document.ts';
export { sweepSvg } from './sweep-plot.ts';
export { inkOn, saturationColour } from './theme.ts';
export type {
  EpochPoint,
  LayerResolutionCell,
  LayerSaturation,
  PlotOptions,
  ProjectionPlotInput,
  ProjectionPoint,
  RecommendedResolution,
  ResolutionPoint,
  SearchRungPoint,
  SweepPlotInput,
  TrialSaturationInput,
} from './types.ts';
