import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect } from 'vitest';
import {
  createTestDatabase,
  insertSampleSweep,
  SAMPLE_LAYERS,
  sampleEpoch,
  sampleSaturation,
  type SampleSweep,
} from '@satfarm/db/testing';
import { createPool, ingestEvents, type Pool, type PoolClient } from '@satfarm/db';
import { it } from '@satfarm/db/vitest';
import { type Dashboard, startDashboard } from '@satfarm/dashboard';
import { rawRequest, rawSocketRequest } from './http.ts';
import { TcpProxy } from './tcp-proxy.ts';

const NAME = `<b>"fashion"</b> & 'resolution'`;
const AT = '2026-11-26T12:30:00.000Z';
/** Where this checkout lives: no error answer may show it. */
const INSTALL_DIR = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');

let sample: SampleSweep;
let dashboard: Dashboard;

it.beforeAll(async ({ db }) => {
  sample = await insertSampleSweep(db.pool, { name: NAME });
  dashboard = await startDashboard({ pool: db.pool, port: 0 });
});
afterAll(async () => {
  await dashboard?.close();
});

const get = (path: string) => fetch(new URL(path, dashboard.url));

async function rowCounts(pool: Pool): Promise<string> {
  const { rows } = await pool.query(
    `SELECT (SELECT count(*) FROM sweeps) AS sweeps, (SELECT count(*) FROM trials) AS trials,
            (SELECT count(*) FROM epoch_metrics) AS epochs, (SELECT count(*) FROM layer_metrics) AS layers,
            (SELECT string_agg(status, ',' ORDER BY id) FROM trials) AS statuses`,
  );
  return JSON.stringify(rows[0]);
}

describe('dashboard server', () => {
  it('listens on 127.0.0.1 unless told otherwise', () => {
    expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(dashboard.host).toBe('127.0.0.1');
  });

  it('refuses every method but GET and HEAD with 405 and changes nothing', async ({ db }) => {
    const before = await rowCounts(db.pool);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      for (const path of [
        '/',
        '/api/sweeps',
        `/sweeps/${sample.sweepId}`,
        `/api/trials/${sample.trialIds[0]}`,
      ]) {
        const response = await rawRequest(new URL(path, dashboard.url).toString(), method, {
          'Content-Type': 'application/json',
        });
        expect(response.status, `${method} ${path}`).toBe(405);
        expect(response.headers.allow).toBe('GET, HEAD');
        expect(response.body).toContain('read-only');
      }
    }
    expect(await rowCounts(db.pool)).toBe(before);
  });

  it('answers HEAD like GET, without a body', async () => {
    const response = await rawRequest(dashboard.url, 'HEAD');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(Number(response.headers['content-length'])).toBeGreaterThan(500);
    expect(response.body).toBe('');
  });

  it('escapes names from the database in HTML and sends a strict CSP', async () => {
    const response = await get('/');
    const body = await response.text();
    expect(body).toContain('&lt;b&gt;&quot;fashion&quot;&lt;/b&gt; &amp; &#39;resolution&#39;');
    expect(body).not.toContain('<b>"fashion"');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    const sweep = await (await get(`/sweeps/${sample.sweepId}`)).text();
    expect(sweep).toContain('dense&lt;&quot;out&quot;&gt;');
    expect(sweep).not.toContain('dense<"out">');
  });

  it('serves a JSON API: sweeps with progress, a sweep with its recommendation, a trial by epoch', async () => {
    const { sweeps } = (await (await get('/api/sweeps')).json()) as {
      sweeps: { id: string; name: string; completed: number; epochsDone: number; epochsExpected: number }[];
    };
    expect(sweeps).toEqual([
      expect.objectContaining({
        id: sample.sweepId,
        name: NAME,
        completed: 4,
        epochsDone: 12,
        epochsExpected: 12,
      }),
    ]);
    const sweep = (await (await get(`/api/sweeps/${sample.sweepId.slice(0, 6)}`)).json()) as {
      recommendations: { resolution: number }[];
      trials: unknown[];
    };
    expect(sweep.recommendations.map((r) => r.resolution)).toEqual([28]);
    expect(sweep.trials).toHaveLength(4);
    const trialId = sample.trialIds[0]!;
    const resolution = sample.configs[0]!.resolution;
    const trial = (await (await get(`/api/trials/${trialId}?epoch=2`)).json()) as {
      epoch: number;
      layers: { layerName: string; evalSaturation: number }[];
    };
    expect(trial.epoch).toBe(2);
    expect(trial.layers.map((l) => l.layerName)).toEqual(SAMPLE_LAYERS.map((l) => l.name));
    expect(trial.layers.map((l) => l.evalSaturation)).toEqual(
      SAMPLE_LAYERS.map((_, i) => expect.closeTo(sampleSaturation(i, 2, resolution, 'eval'), 12)),
    );
  });

  it('serves the plots as SVG', async () => {
    const sweepPlot = await get(`/sweeps/${encodeURIComponent(NAME)}/plot.svg`);
    expect(sweepPlot.status).toBe(200);
    expect(sweepPlot.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(await sweepPlot.text()).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const trialPlot = await get(`/trials/${sample.trialIds[3]}/saturation.svg?epoch=1`);
    const svg = await trialPlot.text();
    expect(svg.match(/class="bar eval"/g)).toHaveLength(SAMPLE_LAYERS.length);
    expect(svg).toContain('epoch 1 of 3');
  });

  it('answers mistakes with 404 and 400, naming what was wrong', async () => {
    const missing = await get('/sweeps/no-such-sweep');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('no sweep matches &quot;no-such-sweep&quot;');
    expect((await get('/nothing/here')).status).toBe(404);
    expect((await get('/static/../../package.json')).status).toBe(404);
    const badEpoch = await get(`/trials/${sample.trialIds[0]}?epoch=zero`);
    expect(badEpoch.status).toBe(400);
    expect(await badEpoch.text()).toContain('epoch: got &quot;zero&quot;');
    const unstored = await get(`/api/trials/${sample.trialIds[0]}?epoch=9`);
    expect(unstored.status).toBe(404);
    expect(((await unstored.json()) as { error: string }).error).toContain('stored epochs are 1–3');
  });

  it('answers an epoch the trial lacks with 404 naming it and the epochs there are', async () => {
    const trialId = sample.trialIds[0]!;
    const expected = `epoch: got 9999999; trial ${trialId.slice(0, 8)} has no epoch 9999999 (its stored epochs are 1–3)`;
    const api = await get(`/api/trials/${trialId}?epoch=9999999`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: string }).error).toBe(expected);
    const page = await get(`/trials/${trialId}?epoch=9999999`);
    expect(page.status).toBe(404);
    expect(await page.text()).toContain(expected);
    expect((await get(`/trials/${trialId}/saturation.svg?epoch=4`)).status).toBe(404);
    for (const raw of ['-1', '1.5', '0', 'abc', '99999999999']) {
      const bad = await get(`/api/trials/${trialId}?epoch=${raw}`);
      expect(bad.status, raw).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toBe(
        `epoch: got "${raw}"; expected a whole number from 1 to 2147483647`,
      );
    }
  });

  it('answers /static/ names of Object.prototype with 404, disclosing no path', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      const response = await get(`/static/${name}`);
      expect(response.status, name).toBe(404);
      const body = await response.text();
      expect(body, name).not.toContain(INSTALL_DIR);
      expect(body, name).not.toMatch(/\bat .*:\d+:\d+|ENOENT|EISDIR/);
    }
    expect((await get('/static/app.js')).status).toBe(200);
  });

  it('answers a request target that is no URL with 400 rather than a dropped connection', async () => {
    const { status, text } = await rawSocketRequest(
      dashboard.port,
      `GET //[ HTTP/1.1\r\nHost: 127.0.0.1:${dashboard.port}`,
    );
    expect(status).toBe(400);
    expect(text).toContain('the request target is not a valid URL');
  });

  it('answers an unexpected failure with 500 and a reference, the details going to the log only', async () => {
    const broken = await createTestDatabase();
    const logged: Record<string, unknown>[] = [];
    const own = await startDashboard({
      pool: broken.pool,
      port: 0,
      logger: { warn: () => {}, error: (_m, fields) => logged.push(fields ?? {}) },
    });
    try {
      const { sweepId } = await insertSampleSweep(broken.pool);
      // A view the sweep page reads is gone: the error names it, with SQL details.
      await broken.pool.query('DROP VIEW layer_resolution_summary CASCADE');
      for (const path of [`/sweeps/${sweepId}`, `/api/sweeps/${sweepId}`, `/sweeps/${sweepId}/plot.svg`]) {
        const response = await fetch(new URL(path, own.url));
        expect(response.status, path).toBe(500);
        const body = await response.text();
        expect(body, path).toMatch(/its log has the details\. \(reference [0-9a-f]{8}\)/);
        expect(body, path).not.toContain('layer_resolution_summary');
        expect(body, path).not.toContain(INSTALL_DIR);
        expect(body, path).not.toMatch(/\bat .*:\d+:\d+/);
      }
      expect(logged).toHaveLength(3);
      expect(String(logged[0]!.error)).toContain('layer_resolution_summary');
    } finally {
      await own.close();
      await broken.drop();
    }
  });

  it('answers only to loopback names while bound to loopback (no DNS rebinding)', async () => {
    expect((await rawRequest(dashboard.url, 'GET', { Host: 'evil.example' })).status).toBe(403);
    expect((await rawRequest(dashboard.url, 'GET', { Host: `localhost:${dashboard.port}` })).status).toBe(
      200,
    );
    const port = dashboard.port;
    const status = async (head: string) => (await rawSocketRequest(port, head)).status;
    for (const host of [
      '127.evil.example',
      `127.evil.example:${port}`,
      '127.0.0.1.evil.example',
      'localhost.evil.example',
      `localhost.evil.example:${port}`,
      '127.0.0.1:80@evil',
      '127.1',
    ]) {
      expect(await status(`GET /api/sweeps HTTP/1.1\r\nHost: ${host}`), host).toBe(403);
    }
    expect(await status('GET /api/sweeps HTTP/1.1\r\nHost: '), 'empty Host').toBe(403);
    // HTTP/1.1 requires a Host (node answers 400 itself); HTTP/1.0 may omit it: refused as well.
    expect(await status('GET /api/sweeps HTTP/1.0'), 'no Host').toBe(403);
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `[::1]:${port}`,
      '127.1.2.3',
      'LOCALHOST',
    ]) {
      expect(await status(`GET /api/sweeps HTTP/1.1\r\nHost: ${host}`), host).toBe(200);
    }
  });

  it('keeps /healthz answering while every pooled connection is busy', async ({ db }) => {
    const pool = createPool(db.url, { max: 2, connectionTimeoutMillis: 3_000 });
    const own = await startDashboard({ pool, port: 0 });
    const held: PoolClient[] = [];
    try {
      held.push(await pool.connect(), await pool.connect());
      const health = await fetch(new URL('/healthz', own.url));
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ ok: true, database: 'up' });
    } finally {
      for (const client of held) client.release();
      await own.close();
      await pool.end();
    }
  });

  it("computes a sweep's resolution study once per change of its trials, and shows changes at once", async () => {
    const own = await createTestDatabase();
    const ownDashboard = await startDashboard({ pool: own.pool, port: 0 });
    try {
      const running = await insertSampleSweep(own.pool, { name: 'cache check', finished: false });
      type Sweep = { summary: { resolution: number; completed: number }[]; recommendations: unknown[] };
      const sweep = async () => fetch(new URL(`/api/sweeps/${running.sweepId}`, ownDashboard.url));
      const before = (await (await sweep()).json()) as Sweep;
      expect(before.summary.map((r) => r.completed)).toEqual([0, 0]);
      expect(before.recommendations).toEqual([]);

      // A trial completes: the next read shows it.
      const [trialId, config] = [running.trialIds[0]!, running.configs[0]!];
      await ingestEvents(own.pool, [
        ...[2, 3].map((epoch) => sampleEpoch(running.sweepId, trialId, config, epoch)),
        { type: 'finished', sweepId: running.sweepId, trialId, attempt: 1, status: 'completed', at: AT },
      ]);
      const after = (await (await sweep()).json()) as Sweep;
      expect(after.summary.find((r) => r.resolution === config.resolution)?.completed).toBe(1);
      expect(after.recommendations).toHaveLength(1);

      // Nothing changed since: the study is not computed again (with a view it reads gone, it could not be).
      await own.pool.query('DROP VIEW layer_resolution_summary CASCADE');
      expect((await sweep()).status).toBe(200);
      expect((await fetch(new URL(`/sweeps/${running.sweepId}/plot.svg`, ownDashboard.url))).status).toBe(
        200,
      );
      await own.pool.query('UPDATE trials SET updated_at = now() WHERE id = $1', [trialId]);
      expect((await sweep()).status).toBe(500);
    } finally {
      await ownDashboard.close();
      await own.drop();
    }
  });

  it('shows an error while the database is away and recovers by itself when it is back', async ({ db }) => {
    const target = new URL(db.url);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
    const viaProxy = new URL(db.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const warnings: string[] = [];
    const own = await startDashboard({
      databaseUrl: viaProxy.toString(),
      port: 0,
      logger: { warn: (m) => warnings.push(m), error: (m) => warnings.push(`error: ${m}`) },
    });
    const at = (path: string) => fetch(new URL(path, own.url));
    try {
      expect((await at(`/sweeps/${sample.sweepId}`)).status).toBe(200);

      await proxy.stop();
      const down = await at(`/sweeps/${sample.sweepId}`);
      expect(down.status).toBe(503);
      const page = await down.text();
      expect(page).toContain('Database unreachable');
      expect(page).toContain('data-live="recover"');
      const health = await at('/healthz');
      expect(health.status).toBe(503);
      expect(((await health.json()) as { databaseDown: boolean }).databaseDown).toBe(true);

      await proxy.start();
      // The pool threw its dead connections away; the next request connects afresh.
      await expect
        .poll(async () => (await at('/healthz')).status, { timeout: 15_000, interval: 200 })
        .toBe(200);
      expect((await at(`/sweeps/${sample.sweepId}`)).status).toBe(200);
      expect(warnings).toEqual(expect.arrayContaining(['database unreachable', 'database reachable again']));
      expect(warnings.filter((w) => w.startsWith('error:'))).toEqual([]);
    } finally {
      await own.close();
      await proxy.stop();
    }
  });
});
