import type { ProjectionSummaryRow, TrialProjectionRow } from '@satfarm/contracts';

/** Which network a row belongs to: architecture and its options other than resolution and seed. */
export interface VariantKey {
  architecture: string;
  variant: string;
}

/** Everything a reproduction report is made of; plain data, read from PostgreSQL by the caller. */
export interface ReportInput {
  sweep: { id: string; name: string; createdAt: Date; completedAt: Date | null };
  /** The commands that recreate the sweep and regenerate this report. */
  commands: string[];
  /** The sweep spec as YAML text, shown in the report. */
  specText: string;
  /** The machine in words, e.g. `2 CPU cores (AMD EPYC), Node v20.20.2`. */
  machine: string;
  /** Every trial of the sweep with its final metrics. */
  trials: ReportTrial[];
  /** Every epoch of every completed trial: the accuracy curves. */
  epochs: ReportEpoch[];
  /** Every tracked layer of every completed trial at its last epoch. */
  layers: ReportLayer[];
  /** Every projection-test row of every completed trial (`projection_results`). */
  projections: ReportProjection[];
  /** Legacy projection rows (`projection_summary`), of trials run before the projection test followed phd-lab. */
  legacyProjections: LegacyProjectionRow[];
  recommendations: ReportRecommendation[];
  /** CPU cores of the machine the report was generated on (the sweep's, when run there). */
  cores?: number;
  /** The work this sweep did, for scaling its measured seconds to another spec (`estimate`). */
  compute?: {
    trainImages: number;
    testImages: number;
    epochs: number;
    /** Forward multiply-accumulates per image of each (architecture, variant, resolution). */
    macs: ({ resolution: number; macsPerImage: number } & VariantKey)[];
  };
  /** What running another spec on this machine would cost, scaled from this sweep's measured seconds. */
  estimate?: CostEstimateInput | undefined;
  /** Relative paths of the pictures written beside the report. */
  images: { sweep: string; trials: { label: string; path: string }[]; projection?: string | undefined };
  /** Hand-written discussion, appended as is. */
  notes?: string | undefined;
}

export interface ReportTrial extends VariantKey {
  resolution: number;
  seed: number;
  status: string;
  /** Epochs stored and planned. */
  epochs: number;
  plannedEpochs?: number;
  testAccuracy: number | null;
  /** Training and evaluation seconds summed over the stored epochs. */
  seconds: number | null;
  /** From the newest attempt's start to its end (training, evaluation, projection test); null when unknown. */
  wallSeconds?: number | null;
  backend: string | null;
}

export interface ReportEpoch extends VariantKey {
  trialId: string;
  resolution: number;
  seed: number;
  epoch: number;
  trainAccuracy: number;
  testAccuracy: number;
  seconds: number;
  tailLength: number | null;
}

export interface ReportLayer extends VariantKey {
  trialId: string;
  resolution: number;
  seed: number;
  layerIndex: number;
  layerName: string;
  kind: string;
  width: number;
  receptiveField: number;
  unproductive: boolean;
  evalSaturation: number;
}

/** One trial's projection result, as `@satfarm/db` returns it (declared once, in contracts). */
export type ReportProjection = TrialProjectionRow;

export interface LegacyProjectionRow extends VariantKey {
  resolution: number;
  delta: number;
  trials: number;
  meanKeptShare: number;
  meanTestAccuracy: number;
  meanProjectedAccuracy: number;
  meanRandomAccuracy: number;
}

export interface ReportRecommendation extends VariantKey {
  resolution: number;
  meanTestAccuracy: number;
  cheapestResolution: number;
  cheapestMeanTestAccuracy: number;
  tolerance: number;
  rfPredictedResolution: number | null;
  rfPredictedTriedResolution: number | null;
  tailLengths: { resolution: number; meanTailLength: number | null }[];
  agree: boolean;
  sql: { statement: string; parameters: [string, number] };
}

/** Another spec, described well enough to scale this sweep's measured seconds to it. */
export interface CostEstimateInput {
  /** The spec file, as the reader would name it. */
  file: string;
  dataset: string;
  epochs: number;
  trainImages: number;
  testImages: number;
  /** Projection passes per trial: δ values × (1 + layers projected alone) × (1 + random draws); 0 without. */
  cells: ({
    resolution: number;
    seeds: number;
    macsPerImage: number;
    projectionPasses: number;
  } & VariantKey)[];
}

/** One row of `projection_results_summary`, as `@satfarm/db`'s projectionResults returns it (for the plot). */
export type ProjectionTestRow = ProjectionSummaryRow;
