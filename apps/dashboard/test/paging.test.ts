import { afterAll, describe, expect } from 'vitest';
import { it } from '@satfarm/db/vitest';
import { type Dashboard, startDashboard } from '@satfarm/dashboard';
import { insertBulkSweep } from './bulk-sweep.ts';

const TRIALS = 10_000;
/** What a page of 100 trials may weigh: the whole list was 3.6 MB. */
const MAX_PAGE_BYTES = 200 * 1024;

let dashboard: Dashboard;
let sweepId: string;
/** Trial ids in expansion order, as the database has them. */
let ids: string[];

it.beforeAll(async ({ db }) => {
  sweepId = await insertBulkSweep(db.pool, { name: 'ten thousand', trials: TRIALS, epochs: 1, layers: 2 });
  const { rows } = await db.pool.query<{ id: string }>(
    'SELECT id FROM trials WHERE sweep_id = $1 ORDER BY ordinal',
    [sweepId],
  );
  ids = rows.map((r) => r.id);
  dashboard = await startDashboard({ pool: db.pool, port: 0 });
});
afterAll(async () => {
  await dashboard?.close();
});

const get = (path: string) => fetch(new URL(path, dashboard.url));
const trialRows = (html: string) => [...html.matchAll(/<tr data-trial="([0-9a-f]+)">/g)].map((m) => m[1]);

interface SweepJson {
  progress: { counts: { completed: number } };
  summary: { trials: number }[];
  page: {
    number: number;
    limit: number;
    offset: number;
    total: number;
    pages: number;
    previous: string | null;
    next: string | null;
  };
  trials: { trialId: string; ordinal: number }[];
}

describe('a sweep of 10,000 trials', () => {
  it('shows the first 100 trials, the totals and a link onwards, in a bounded page', async () => {
    expect(ids).toHaveLength(TRIALS);
    const response = await get(`/sweeps/${sweepId}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(Buffer.byteLength(html)).toBeLessThan(MAX_PAGE_BYTES);
    expect(trialRows(html)).toEqual(ids.slice(0, 100));
    expect(html).toContain('trials 1–100 of 10,000');
    expect(html).toContain('page 1 of 100');
    expect(html).toContain(`<a rel="next" href="/sweeps/${sweepId}?page=2">`);
    expect(html).toContain(`<a rel="last" href="/sweeps/${sweepId}?page=100">`);
    expect(html).not.toContain('rel="prev"');
    // The resolution study still covers every trial, not the page.
    expect(html).toContain('1000/1000');
  });

  it('pages through the trials in expansion order', async () => {
    const second = await (await get(`/sweeps/${sweepId}?page=2`)).text();
    expect(trialRows(second)).toEqual(ids.slice(100, 200));
    expect(second).toContain('trials 101–200 of 10,000');
    expect(second).toContain(`<a rel="prev" href="/sweeps/${sweepId}?page=1">`);
    const last = await (await get(`/sweeps/${sweepId}?page=100`)).text();
    expect(trialRows(last)).toEqual(ids.slice(9900));
    expect(last).not.toContain('rel="next"');
    const wide = await (await get(`/sweeps/${sweepId}?page=3&limit=1000`)).text();
    expect(trialRows(wide)).toEqual(ids.slice(2000, 3000));
    expect(wide).toContain(`href="/sweeps/${sweepId}?page=4&amp;limit=1000"`);
  });

  it('pages the JSON API the same way, with links and totals', async () => {
    const response = await get(`/api/sweeps/${sweepId}`);
    const text = await response.text();
    expect(Buffer.byteLength(text)).toBeLessThan(MAX_PAGE_BYTES);
    const first = JSON.parse(text) as SweepJson;
    expect(first.page).toEqual({
      number: 1,
      limit: 100,
      offset: 0,
      total: TRIALS,
      pages: 100,
      previous: null,
      next: `/api/sweeps/${sweepId}?page=2`,
    });
    expect(first.trials.map((t) => t.trialId)).toEqual(ids.slice(0, 100));
    expect(first.progress.counts.completed).toBe(TRIALS);
    expect(first.summary.reduce((sum, r) => sum + r.trials, 0)).toBe(TRIALS);
    const next = (await (await get(first.page.next!)).json()) as SweepJson;
    expect(next.trials.map((t) => t.ordinal)).toEqual(Array.from({ length: 100 }, (_, i) => 100 + i));
    expect(next.page.previous).toBe(`/api/sweeps/${sweepId}?page=1`);
    const small = (await (await get(`/api/sweeps/${sweepId}?limit=7&page=1429`)).json()) as SweepJson;
    expect(small.page).toMatchObject({ pages: 1429, next: null, offset: 9996 });
    expect(small.trials.map((t) => t.trialId)).toEqual(ids.slice(9996));
  });

  it('answers paging parameters out of range with 400 naming parameter, value and range', async () => {
    const cases: [string, string][] = [
      ['page=101', 'page: got "101"; expected a whole number from 1 to 100 (10000 trials at 100 per page)'],
      ['page=0', 'page: got "0"; expected a whole number from 1 to 100'],
      ['page=two', 'page: got "two"'],
      ['page=1.5', 'page: got "1.5"'],
      ['limit=0', 'limit: got "0"; expected a whole number from 1 to 1000'],
      ['limit=100000', 'limit: got "100000"; expected a whole number from 1 to 1000'],
      [
        'limit=50&page=201',
        'page: got "201"; expected a whole number from 1 to 200 (10000 trials at 50 per page)',
      ],
    ];
    for (const [query, message] of cases) {
      const api = await get(`/api/sweeps/${sweepId}?${query}`);
      expect(api.status, query).toBe(400);
      expect(((await api.json()) as { error: string }).error, query).toContain(message);
      const page = await get(`/sweeps/${sweepId}?${query}`);
      expect(page.status, query).toBe(400);
      expect(await page.text(), query).toContain(message.replaceAll('"', '&quot;'));
    }
  });
});
