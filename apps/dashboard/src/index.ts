export { EpochNotStoredError, InvalidDashboardOptionError } from './errors.ts';
export { loadSweepPlot, loadTrialPlot } from './plot-data.ts';
export { listSweeps, type SweepListItem } from './queries.ts';
export {
  type Dashboard,
  type DashboardLogger,
  type DashboardOptions,
  startDashboard,
} from './start-dashboard.ts';
export {
  insertSampleSweep,
  SAMPLE_EPOCHS,
  SAMPLE_LAYERS,
  SAMPLE_RESOLUTIONS,
  SAMPLE_SEEDS,
  type SampleSweep,
  sampleAccuracy,
  sampleEpoch,
  sampleSaturation,
} from './sample-sweep.ts';
