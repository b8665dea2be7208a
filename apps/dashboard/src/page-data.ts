import {
  findSweep,
  findTrial,
  type Pool,
  sweepStatus,
  sweepTrialsPage,
  TRIAL_STATUSES,
  trialEpochs,
} from '@satfarm/db';
import { EpochNotStoredError, loadTrialPlot } from '@satfarm/plot-data';
import { layerSaturationSvg, sweepSvg, trialCurvesSvg } from '@satfarm/plots';
import type { SweepPageData } from './pages/sweep-page.ts';
import type { TrialPageData } from './pages/trial-page.ts';
import { epochParam, pageParam } from './query-params.ts';
import type { SweepPlotCache } from './sweep-plot-cache.ts';

/**
 * What the sweep page and `/api/sweeps/:id` show: progress, the resolution study and one page of
 * trials (`?page=`, `?limit=`). The page is checked against the trial count before any trial is read.
 */
export async function sweepData(
  { pool, plots }: { pool: Pool; plots: SweepPlotCache },
  ref: string,
  query: URLSearchParams,
): Promise<SweepPageData> {
  const sweep = await findSweep(pool, ref);
  const progress = await sweepStatus(pool, sweep.id);
  const total = TRIAL_STATUSES.reduce((sum, status) => sum + progress.counts[status], 0);
  const page = pageParam(query, total);
  const [trials, plot] = await Promise.all([sweepTrialsPage(pool, sweep.id, page), plots.plot(pool, sweep)]);
  return { sweep, progress, page, trials, plot, svg: sweepSvg(plot, { idPrefix: 'sweep-plot' }) };
}

/** What the trial page shows at `?epoch=` (default: the last stored epoch). */
export async function trialData(pool: Pool, ref: string, query: URLSearchParams): Promise<TrialPageData> {
  const epoch = epochParam(query);
  const trial = await findTrial(pool, ref);
  const [sweep, epochs] = await Promise.all([
    findSweep(pool, trial.sweepId),
    trialEpochs(pool, trial.trialId),
  ]);
  let plot: Awaited<ReturnType<typeof loadTrialPlot>> | undefined;
  try {
    plot = await loadTrialPlot(pool, trial, epoch);
  } catch (error) {
    // Before the first epoch the page still shows the trial; a wrong ?epoch is the reader's mistake.
    if (!(error instanceof EpochNotStoredError && epoch === undefined)) throw error;
  }
  return {
    trial,
    sweepName: sweep.name,
    epochs,
    epoch: plot?.input.epoch,
    saturationSvg:
      plot === undefined ? undefined : layerSaturationSvg(plot.input, { idPrefix: 'trial-saturation' }),
    curvesSvg: trialCurvesSvg(epochs),
  };
}
