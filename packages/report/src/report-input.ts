import type { ProjectionSummaryRow } from '@satfarm/contracts';
/** Everything a reproduction report is made of; plain data, read from PostgreSQL by the caller. */
export interface ReportInput {
  sweep: { id: string; name: string; createdAt: Date; completedAt: Date | null };
  /** The commands that recreate the sweep and regenerate this report. */
  commands: string[];
  /** The sweep spec as YAML text, shown in the report. */
  specText: string;
  machine: string;
  trials: {
    architecture: string;
    variant: string;
    resolution: number;
    seed: number;
    status: string;
    epochs: number;
    testAccuracy: number | null;
    seconds: number | null;
    backend: string | null;
  }[];
  summary: {
    architecture: string;
    variant: string;
    resolution: number;
    seeds: number;
    meanTestAccuracy: number | null;
    std: number | null;
    meanEvalSaturation: number | null;
    meanTrainingSeconds: number | null;
  }[];
  recommendations: {
    architecture: string;
    variant: string;
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
  }[];
  /** The projection test (`projection_results_summary`): all-layer rows and each layer alone, per δ. */
  projectionTests: ProjectionTestRow[];
  /** Legacy projection rows (`projection_summary`), of trials run before the projection test followed phd-lab. */
  projections: {
    architecture: string;
    variant: string;
    resolution: number;
    delta: number;
    trials: number;
    meanKeptShare: number;
    meanTestAccuracy: number;
    meanProjectedAccuracy: number;
    meanRandomAccuracy: number;
  }[];
  productivity: {
    architecture: string;
    variant: string;
    resolution: number;
    unproductive: boolean;
    layers: number;
    meanEvalSaturation: number;
  }[];
  layers: {
    architecture: string;
    variant: string;
    resolution: number;
    layerName: string;
    receptiveField: number;
    unproductive: boolean;
    meanEvalSaturation: number | null;
  }[];
  /** Relative paths of the pictures written beside the report. */
  images: { sweep: string; trials: { label: string; path: string }[]; projection?: string | undefined };
  /** Hand-written discussion, appended as is. */
  notes?: string | undefined;
}

/** One row of `projection_results_summary`, as `@satfarm/db`'s projectionResults returns it. */
export type ProjectionTestRow = ProjectionSummaryRow;
