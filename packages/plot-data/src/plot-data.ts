import {
  bestResolutions,
  type EpochRow,
  layerResolutionSummary,
  type Pool,
  type ResolutionSummaryRow,
  resolutionSummary,
  searchRungs,
  type TrialResult,
  trialEpochs,
  trialLayers,
  withClient,
} from '@satfarm/db';
import type { SweepPlotInput, TrialSaturationInput } from '@satfarm/plots';
import { EpochNotStoredError } from './errors.ts';

/** What `layerSaturationSvg` needs for one trial at one epoch (default: the last stored). */
export async function loadTrialPlot(
  pool: Pool,
  trial: TrialResult,
  epoch?: number,
): Promise<{ input: TrialSaturationInput; epochs: EpochRow[] }> {
  const epochs = await trialEpochs(pool, trial.trialId);
  const last = epochs.at(-1)?.epoch;
  const chosen = epoch ?? last;
  const row = epochs.find((e) => e.epoch === chosen);
  if (chosen === undefined || row === undefined) {
    throw new EpochNotStoredError(
      trial.trialId,
      epoch,
      epochs.map((e) => e.epoch),
    );
  }
  const [layers, delta] = await Promise.all([
    trialLayers(pool, trial.trialId, chosen),
    trialDelta(pool, trial.trialId),
  ]);
  return {
    epochs,
    input: {
      trialId: trial.trialId,
      architecture: trial.architecture,
      variant: trial.variant,
      resolution: trial.resolution,
      seed: trial.seed,
      epoch: chosen,
      lastEpoch: last,
      testAccuracy: row.testAccuracy,
      ...(delta === undefined ? {} : { delta }),
      layers,
    },
  };
}

/** What `sweepSvg` needs: the resolution summary, the recommendations and saturation per layer and resolution. */
export async function loadSweepPlot(
  pool: Pool,
  sweep: { id: string; name: string },
): Promise<Omit<SweepPlotInput, 'summary'> & { summary: ResolutionSummaryRow[] }> {
  const [summary, recommendations, layers, rungs] = await Promise.all([
    resolutionSummary(pool, sweep.id),
    bestResolutions(pool, sweep.id),
    layerResolutionSummary(pool, sweep.id),
    searchRungs(pool, sweep.id),
  ]);
  return {
    sweepId: sweep.id,
    name: sweep.name,
    summary,
    recommendations,
    layers,
    ...(rungs.length === 0 ? {} : { rungs }),
  };
}

/** The delta a trial measured saturation with (from its stored config), for the plot's caption. */
export async function trialDelta(pool: Pool, trialId: string): Promise<number | undefined> {
  return withClient(pool, async (client) => {
    const { rows } = await client.query<{ delta: number | null }>(
      `SELECT (config #>> '{saturation,delta}')::float8 AS delta FROM trials WHERE id = $1`,
      [trialId],
    );
    return rows[0]?.delta ?? undefined;
  });
}
