/**
 * One trial's projection result (a `projection_results` row with the trial's unprojected accuracy):
 * the one declaration, returned by `@satfarm/db` and taken by `@satfarm/report`.
 */
export interface TrialProjectionRow {
  trialId: string;
  architecture: string;
  variant: string;
  resolution: number;
  seed: number;
  fit: 'train' | 'test';
  includesClassifier: boolean;
  scope: 'all' | 'layer';
  layerName: string | null;
  layerIndex: number | null;
  delta: number;
  k: number;
  width: number;
  /** Test accuracy of the trial unprojected (its last epoch). */
  testAccuracy: number;
  accuracy: number;
  /** Test accuracy with each random subspace of the same k. */
  randomAccuracies: number[];
}

/**
 * One row of the `projection_results_summary` view: a scope (every projected layer at once, or one
 * layer alone) at one δ, averaged over an (architecture, variant, resolution)'s completed trials. The
 * one declaration of this shape: `@satfarm/db` returns it, `@satfarm/report` and `@satfarm/plots` take
 * it, so a column added to the view cannot be missed by one of them.
 */
export interface ProjectionSummaryRow {
  architecture: string;
  variant: string;
  resolution: number;
  fit: 'train' | 'test';
  includesClassifier: boolean;
  /** `all`: every projected layer at once; `layer`: `layerName` alone. */
  scope: 'all' | 'layer';
  layerName: string | null;
  layerIndex: number | null;
  delta: number;
  trials: number;
  meanKeptShare: number;
  /** The unprojected test accuracy of the same trials. */
  meanTestAccuracy: number;
  meanProjectedAccuracy: number;
  /** Over trials (seeds); null with one. */
  stdProjectedAccuracy: number | null;
  meanRandomAccuracy: number;
  /** The typical spread of the random control between draws within a trial; null with one draw. */
  meanRandomAccuracyStd: number | null;
  minRandomAccuracy: number;
  maxRandomAccuracy: number;
}
