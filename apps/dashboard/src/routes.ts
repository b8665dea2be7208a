import { findSweep, findTrial, type Pool, trialEpochs } from '@satfarm/db';
import { loadTrialPlot } from '@satfarm/plot-data';
import { layerSaturationSvg, sweepSvg, trialCurvesSvg } from '@satfarm/plots';
import { checkHealth } from './health.ts';
import { sweepData, trialData } from './page-data.ts';
import { sweepPage } from './pages/sweep-page.ts';
import { sweepsPage } from './pages/sweeps-page.ts';
import { trialPage } from './pages/trial-page.ts';
import { listSweeps } from './queries.ts';
import { epochParam, pageQuery } from './query-params.ts';
import { staticAsset } from './static-assets.ts';
import type { SweepPlotCache } from './sweep-plot-cache.ts';

export interface Reply {
  status: number;
  type: string;
  body: string | Buffer;
  headers?: Record<string, string>;
}

/** What a route may use: the dashboard's pool, the one-connection pool /healthz has to itself, the sweep plots. */
export interface RouteContext {
  pool: Pool;
  healthPool: Pool;
  plots: SweepPlotCache;
}

type Handler = (context: RouteContext, params: string[], query: URLSearchParams) => Promise<Reply>;

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
  { pattern: /^\/$/, handler: async ({ pool }) => ok(HTML, sweepsPage(await listSweeps(pool))) },
  {
    pattern: /^\/sweeps\/([^/]+)$/,
    handler: async (context, [ref], query) => ok(HTML, sweepPage(await sweepData(context, ref!, query))),
  },
  {
    pattern: /^\/sweeps\/([^/]+)\/plot\.svg$/,
    handler: async ({ pool, plots }, [ref]) => {
      const sweep = await findSweep(pool, ref!);
      return ok(SVG, sweepSvg(await plots.plot(pool, sweep)));
    },
  },
  {
    pattern: /^\/trials\/([^/]+)$/,
    handler: async ({ pool }, [ref], query) => ok(HTML, trialPage(await trialData(pool, ref!, query))),
  },
  {
    pattern: /^\/trials\/([^/]+)\/saturation\.svg$/,
    handler: async ({ pool }, [ref], query) => {
      const epoch = epochParam(query);
      const trial = await findTrial(pool, ref!);
      const { input } = await loadTrialPlot(pool, trial, epoch);
      return ok(SVG, layerSaturationSvg(input, { idPrefix: 'trial-saturation' }));
    },
  },
  {
    pattern: /^\/trials\/([^/]+)\/curves\.svg$/,
    handler: async ({ pool }, [ref]) => {
      const trial = await findTrial(pool, ref!);
      return ok(SVG, trialCurvesSvg(await trialEpochs(pool, trial.trialId)));
    },
  },
  { pattern: /^\/api\/sweeps$/, handler: async ({ pool }) => json({ sweeps: await listSweeps(pool) }) },
  {
    pattern: /^\/api\/sweeps\/([^/]+)$/,
    handler: async (context, [ref], query) => {
      const { sweep, progress, page, trials, plot } = await sweepData(context, ref!, query);
      const link = (n: number) => `/api/sweeps/${sweep.id}${pageQuery(page, n)}`;
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
        page: {
          number: page.number,
          limit: page.limit,
          offset: page.offset,
          total: page.total,
          pages: page.pages,
          previous: page.number > 1 ? link(page.number - 1) : null,
          next: page.number < page.pages ? link(page.number + 1) : null,
        },
        trials,
      });
    },
  },
  {
    pattern: /^\/api\/trials\/([^/]+)$/,
    handler: async ({ pool }, [ref], query) => {
      const epoch = epochParam(query);
      const trial = await findTrial(pool, ref!);
      const epochs = await trialEpochs(pool, trial.trialId);
      // Before the first epoch there is nothing to show, which is no error unless an epoch was asked for.
      if (epochs.length === 0 && epoch === undefined) return json({ trial, epochs, epoch: null, layers: [] });
      const { input } = await loadTrialPlot(pool, trial, epoch);
      return json({ trial, epochs, epoch: input.epoch, layers: input.layers });
    },
  },
  {
    pattern: /^\/healthz$/,
    handler: async ({ healthPool }) => {
      await checkHealth(healthPool);
      return json({ ok: true, database: 'up' });
    },
  },
  {
    pattern: /^\/static\/([\w.-]+)$/,
    handler: async (_context, [name]) => {
      const asset = staticAsset(name!);
      if (asset === undefined) return { status: 404, type: 'text/plain; charset=utf-8', body: 'not found\n' };
      return ok(asset.type, asset.body);
    },
  },
];
