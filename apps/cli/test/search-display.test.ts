import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  insertSampleSearch,
  type SampleSweep,
  type TestDatabase,
} from '@satfarm/db/testing';
import { type Dashboard, startDashboard } from '@satfarm/dashboard';
import { runCli } from './run-cli.ts';

let db: TestDatabase;
let search: SampleSweep;
let dashboard: Dashboard;

beforeAll(async () => {
  db = await createTestDatabase();
  search = await insertSampleSearch(db.pool, { name: 'searched' });
  dashboard = await startDashboard({ pool: db.pool, port: 0 });
});
afterAll(async () => {
  await dashboard?.close();
  await db?.drop();
});

describe('a successive-halving sweep, as users see it', () => {
  it('`sweep status` counts pruned trials and says what the full grid would have trained', async () => {
    const run = await runCli(['sweep', 'status', search.sweepId], { DATABASE_URL: db.url });
    expect(run.stderr).toBe('');
    // 8 × 1 + 4 × 1 + 2 × 2 = 16 epochs planned and trained; the grid: 8 × 4.
    expect(run.stdout).toContain('2 completed, 6 pruned; epochs 16/16 (search; the full grid: 32)');
  });

  it('`best` says how much the search trained against the full grid, each rung, and where the reasons are', async () => {
    const run = await runCli(['best', search.sweepId], { DATABASE_URL: db.url });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      "search: successive halving by combined (η = 2): trained 16 of the full grid's 32 epochs (50.0%); 6 trials pruned",
    );
    expect(run.stdout).toMatch(/rung 0 at epoch 1: 4 of 8 went on \([\d, ]+ px\); stopped: [\d, ]+ px/);
    expect(run.stdout).toMatch(/rung 1 at epoch 2: 2 of 4 went on/);
    expect(run.stdout).toContain(`FROM search_decisions WHERE sweep_id = '${search.sweepId}'`);
    const json = await runCli(['best', search.sweepId, '--json'], { DATABASE_URL: db.url });
    const [recommendation] = JSON.parse(json.stdout).recommendations;
    expect(recommendation.search).toMatchObject({ trainedEpochs: 16, gridEpochs: 32, pruned: 6 });
    expect(recommendation.search.rungs).toHaveLength(2);
  });

  it('the dashboard shows the rungs, the pruned trials and the cost', async () => {
    const page = await (await fetch(new URL(`/sweeps/${search.sweepId}`, dashboard.url))).text();
    expect(page).toContain('data-live-id="search"');
    expect(page).toContain('the full grid would train 32');
    expect(page).toMatch(/<span class="count-pruned">6 pruned<\/span>/);
    expect(page).toContain('class="status status-pruned"');
    // The sweep plot marks the pruned resolutions and names the rungs.
    expect(page).toContain('class="search-rungs"');
    expect(page).toMatch(/class="pruned"[^>]*>\d of 2 pruned/);
    // The list: a finished search is a full bar, its pruned trials counted.
    const list = await (await fetch(new URL('/', dashboard.url))).text();
    expect(list).toMatch(/data-fraction="1\.0000"[\s\S]*16\/16 epochs[\s\S]*6 pruned/);
  });
});
