import {
  findSweep,
  findTrial,
  type Pool,
  sweepResults,
  sweepStatus,
  trialEpochs,
  withClient,
} from '@satfarm/db';
import { layerSaturationSvg, sweepSvg, trialCurvesSvg } from '@satfarm/plots';
import { BadRequestError, EpochNotStoredError } from './errors.ts';
import { sweepPage } from './pages/sweep-page.ts';
import { sweepsPage } from './pages/sweeps-page.ts';
import { trialPage } from './pages/trial-page.ts';
import { loadSweepPlot, loadTrialPlot } from './plot-data.ts';
import { listSweeps } from './queries.ts';
import { staticAsset } from './static-assets.ts';

export interface Reply {
  status: number;
  type: string;
  body: string | Buffer;
  headers?: Record<string, string>;
}

type Handler = (pool: Pool, params: string[], query: URLSearchParams) => Promise<Reply>;

const HTML = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const SVG = 'image/svg+xml; charset=utf-8';

const ok = (type: string, body: string | Buffer, headers?: Record<string, string>): Reply => ({
  status: 200,
  type,
  body,
  ...(headers === undefined ? {} : { headers }),
});
const json = (value: unknown): Reply => ok(JSON_TYPE, `${JSON.stringify(value)}\n`);

/** Every route; paths are matched whole, captures are URL-decoded sweep/trial references. */
export const ROUTES: readonly { pattern: RegExp; handler: Handler }[] = [
  { pattern: /^\/$/, handler: async (pool) => ok(HTML, sweepsPage(await listSweeps(pool))) },
  {
    pattern: /^\/sweeps\/([^/]+)$/,
    handler: async (pool, [ref]) => ok(HTML, sweepPage(await sweepData(pool, ref!))),
  },
  {
    pattern: /^\/sweeps\/([^/]+)\/plot\.svg$/,
    handler: async (pool, [ref]) => {
      const sweep = await findSweep(pool, ref!);
      return ok(SVG, sweepSvg(await loadSweepPlot(pool, sweep)));
    },
  },
  {
    pattern: /^\/trials\/([^/]+)$/,
    handler: async (pool, [ref], query) =>
      ok(HTML, trialPage(await trialData(pool, ref!, epochParam(query)))),
  },
  {
    pattern: /^\/trials\/([^/]+)\/saturation\.svg$/,
    handler: async (pool, [ref], query) => {
      const trial = await findTrial(pool, ref!);
      const { input } = await loadTrialPlot(pool, trial, epochParam(query));
      return ok(SVG, layerSaturationSvg(input, { idPrefix: 'trial-saturation' }));
    },
  },
  {
    pattern: /^\/trials\/([^/]+)\/curves\.svg$/,
    handler: async (pool, [ref]) => {
      const trial = await findTrial(pool, ref!);
      return ok(SVG, trialCurvesSvg(await trialEpochs(pool, trial.trialId)));
    },
  },
  { pattern: /^\/api\/sweeps$/, handler: async (pool) => json({ sweeps: await listSweeps(pool) }) },
  {
    pattern: /^\/api\/sweeps\/([^/]+)$/,
    handler: async (pool, [ref]) => {
      const { sweep, progress, trials, plot } = await sweepData(pool, ref!);
      return json({
        sweep: {
          id: sweep.id,
          name: sweep.name,
          status: sweep.status,
          createdAt: sweep.createdAt,
          completedAt: sweep.completedAt,
        },
        progress,
        summary: plot.summary,
        recommendations: plot.recommendations,
        trials,
      });
    },
  },
  {
    pattern: /^\/api\/trials\/([^/]+)$/,
    handler: async (pool, [ref], query) => {
      const trial = await findTrial(pool, ref!);
      const epoch = epochParam(query);
      const epochs = await trialEpochs(pool, trial.trialId);
      if (epochs.length === 0) return json({ trial, epochs, epoch: null, layers: [] });
      const { input } = await loadTrialPlot(pool, trial, epoch);
      return json({ trial, epochs, epoch: input.epoch, layers: input.layers });
    },
  },
  {
    pattern: /^\/healthz$/,
    handler: async (pool) => {
      await withClient(pool, (client) => client.query('SELECT 1'));
      return json({ ok: true, database: 'up' });
    },
  },
  {
    pattern: /^\/static\/([\w.-]+)$/,
    handler: async (_pool, [name]) => {
      const asset = staticAsset(name!);
      if (asset === undefined) return { status: 404, type: 'text/plain; charset=utf-8', body: 'not found\n' };
      return ok(asset.type, asset.body);
    },
  },
];

async function sweepData(pool: Pool, ref: string) {
  const sweep = await findSweep(pool, ref);
  const [progress, trials, plot] = await Promise.all([
    sweepStatus(pool, sweep.id),
    sweepResults(pool, sweep.id),
    loadSweepPlot(pool, sweep),
  ]);
  return { sweep, progress, trials, plot, svg: sweepSvg(plot, { idPrefix: 'sweep-plot' }) };
}

async function trialData(pool: Pool, ref: string, epoch: number | undefined) {
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

function epochParam(query: URLSearchParams): number | undefined {
  const raw = query.get('epoch');
  if (raw === null || raw === '') return undefined;
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1) {
    throw new BadRequestError(`epoch: got ${JSON.stringify(raw)}; expected a whole number ≥ 1`);
  }
  return Number(raw);
}
