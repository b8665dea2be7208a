export { EpochNotStoredError } from './errors.ts';
export { loadSweepPlot, loadTrialPlot, trialDelta } from './plot-data.ts';
