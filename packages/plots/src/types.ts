import type { ProjectionSummaryRow } from '@satfarm/contracts';
/*
 * What the plots draw. The shapes match the rows `@satfarm/db` returns (LayerRow, EpochRow,
 * ResolutionSummaryRow, BestResolution, LayerResolutionRow), so callers pass those straight in, but
 * this package stays pure: it depends on no adapter and does no I/O.
 */

/** One layer of one trial at one epoch. */
export interface LayerSaturation {
  layerIndex: number;
  layerName: string;
  kind: string;
  /** Output width d (channels or units). */
  width: number;
  receptiveField: number;
  /** Receptive-field analysis predicts this layer is unproductive at the trial's resolution. */
  unproductive: boolean;
  trainSaturation: number | null;
  evalSaturation: number | null;
  trainK?: number | null;
  evalK?: number | null;
}

export interface TrialSaturationInput {
  trialId: string;
  architecture: string;
  /** Architecture options other than resolution and seed, e.g. `widthMultiplier=0.5`. */
  variant?: string;
  resolution: number;
  seed: number;
  /** The epoch drawn, and the last one stored (for "epoch 3 of 10"). */
  epoch: number;
  lastEpoch?: number;
  /** Test accuracy at that epoch; null when unknown. */
  testAccuracy: number | null;
  /** Variance share δ behind k (the trial's saturation.delta), for the axis caption. */
  delta?: number;
  layers: readonly LayerSaturation[];
}

export interface EpochPoint {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
}

export interface ResolutionPoint {
  architecture: string;
  variant: string;
  resolution: number;
  /** Completed trials (seeds) behind the mean. */
  completed: number;
  meanTestAccuracy: number | null;
  /** Sample standard deviation over seeds; null with fewer than two. */
  std: number | null;
  /** A successive-halving sweep: trials of this resolution, and how many the search stopped. */
  trials?: number;
  pruned?: number;
}

/** One rung of a successive-halving search in one architecture variant. */
export interface SearchRungPoint {
  architecture: string;
  variant: string;
  rung: number;
  epoch: number;
  candidates: number;
  promoted: number;
}

export interface RecommendedResolution {
  architecture: string;
  variant: string;
  resolution: number;
  meanTestAccuracy: number;
  std: number | null;
}

/** Mean saturation of one layer at one resolution over an architecture's completed trials. */
export interface LayerResolutionCell {
  architecture: string;
  variant: string;
  resolution: number;
  layerIndex: number;
  layerName: string;
  kind: string;
  width: number;
  receptiveField: number;
  unproductive: boolean;
  meanEvalSaturation: number | null;
  meanTrainSaturation: number | null;
}

export interface SweepPlotInput {
  sweepId: string;
  name: string;
  summary: readonly ResolutionPoint[];
  recommendations: readonly RecommendedResolution[];
  layers: readonly LayerResolutionCell[];
  /** Present for a successive-halving sweep: its rungs (the header of each block says them). */
  rungs?: readonly SearchRungPoint[];
}

export interface PlotOptions {
  /**
   * Prefix for ids inside the SVG (patterns, gradients): give each plot inlined into one HTML page
   * its own, since ids are document-wide there. Letters, digits, `-` and `_`.
   */
  idPrefix?: string;
}

/** One row of the projection test summary (`projection_results_summary`); declared in contracts. */
export type ProjectionPoint = ProjectionSummaryRow;

export interface ProjectionPlotInput {
  /** A sweep's or trial's name, for the title. */
  title: string;
  points: readonly ProjectionPoint[];
  /** δ of the per-layer panel (default 0.99 when measured, else the largest δ). */
  layerDelta?: number;
}
