import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect } from 'vitest';
import {
  insertSampleSweep,
  SAMPLE_LAYERS,
  SAMPLE_RESOLUTIONS,
  sampleEpoch,
  sampleSaturation,
  type SampleSweep,
} from '@satfarm/db/testing';
import { ingestEvents } from '@satfarm/db';
import { it } from '@satfarm/db/vitest';
import { type Dashboard, startDashboard } from '@satfarm/dashboard';
import type { Page } from 'playwright-core';
import { type Chromium, CHROMIUM, HAVE_CHROMIUM, launchChromium } from './chromium.ts';

/** The browser's DOMParser, typed here because the project compiles without the DOM library. */
type BrowserDomParser = new () => {
  parseFromString(
    text: string,
    type: string,
  ): { querySelector(selector: string): unknown; documentElement: { nodeName: string } };
};

const OUTPUT = fileURLToPath(new URL('../../../test-output/', import.meta.url));
const NAME = `<b>"fashion"</b> & 'resolution'`;

// CI installs Chromium through infra/scripts/ensure-services.sh, so there these tests always run.
const title = HAVE_CHROMIUM
  ? 'dashboard in Chromium'
  : `dashboard in Chromium — SKIPPED: ${CHROMIUM} is missing (apt-get install chromium, or bash infra/scripts/ensure-services.sh)`;

if (!HAVE_CHROMIUM) process.stderr.write(`${title}\n`);

describe.skipIf(!HAVE_CHROMIUM)(title, () => {
  let finished: SampleSweep;
  let running: SampleSweep;
  let dashboard: Dashboard;
  let browser: Chromium;
  let page: Page;
  const pageErrors: string[] = [];

  it.beforeAll(async ({ db }) => {
    mkdirSync(OUTPUT, { recursive: true });
    finished = await insertSampleSweep(db.pool, { name: NAME });
    running = await insertSampleSweep(db.pool, { name: 'still running', finished: false });
    dashboard = await startDashboard({ pool: db.pool, port: 0 });
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });
  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
  });

  it('lists the sweeps with their progress, and the progress moves while a sweep runs', async ({ db }) => {
    await page.goto(dashboard.url);
    const rows = page.locator('tr.sweep-row');
    await expect.poll(() => rows.count()).toBe(2);
    // The name shows as typed: quotes and tags are text, not markup.
    const done = page.locator(`tr[data-sweep="${finished.sweepId}"]`);
    expect(await done.locator('.sweep-name').textContent()).toBe(NAME);
    expect(await page.locator('main b').count()).toBe(0);
    expect(await done.locator('.progress-text').textContent()).toContain('12/12 epochs');
    const live = page.locator(`tr[data-sweep="${running.sweepId}"] .progress-text`);
    expect(await live.textContent()).toContain('1/12 epochs');

    // A worker reports another epoch: the open page shows it without a reload.
    await ingestEvents(db.pool, [sampleEpoch(running.sweepId, running.trialIds[0]!, running.configs[0]!, 2)]);
    await expect.poll(() => live.textContent(), { timeout: 15_000 }).toContain('2/12 epochs');
    await page.screenshot({ path: `${OUTPUT}dashboard-sweeps.png`, fullPage: true });
  });

  it('shows a sweep: its name, recommendation, summary, heatmap and trials', async () => {
    await page.goto(`${dashboard.url}sweeps/${finished.sweepId}`);
    expect(await page.locator('h1.sweep-title').textContent()).toBe(NAME);
    expect(await page.locator('.recommendation .card-value').allTextContents()).toEqual(['28 px']);
    expect(await page.locator('table.summary tbody tr').count()).toBe(SAMPLE_RESOLUTIONS.length);
    expect(await page.locator('table.summary tr.best').textContent()).toContain('28 px');
    const cells = page.locator('#sweep-plot g.cell');
    expect(await cells.count()).toBe(SAMPLE_LAYERS.length * SAMPLE_RESOLUTIONS.length);
    expect(await page.locator('#sweep-plot circle.recommended-marker').count()).toBe(1);
    expect(await page.locator('table.trials tbody tr').count()).toBe(4);
    await page.screenshot({ path: `${OUTPUT}dashboard-sweep.png`, fullPage: true });
  });

  it('shows a trial: one bar per layer and mode, and the epoch slider changes the bars', async () => {
    const trialId = finished.trialIds[2]!;
    const resolution = finished.configs[2]!.resolution;
    await page.goto(`${dashboard.url}sweeps/${finished.sweepId}`);
    await page.locator(`tr[data-trial="${trialId}"] a`).click();
    await page.waitForURL(`**/trials/${trialId}`);

    const evalBars = page.locator('#saturation-plot rect.bar.eval');
    expect(await evalBars.count()).toBe(SAMPLE_LAYERS.length);
    expect(await page.locator('#saturation-plot rect.bar.train').count()).toBe(SAMPLE_LAYERS.length);
    const values = async () =>
      (await evalBars.evaluateAll((bars) => bars.map((b) => b.getAttribute('data-value')))).map(Number);
    const expected = (epoch: number) =>
      SAMPLE_LAYERS.map((_, i) => sampleSaturation(i, epoch, resolution, 'eval'));
    expect(await values()).toEqual(expected(3));
    expect(await page.locator('#epoch').inputValue()).toBe('3');
    await page.screenshot({ path: `${OUTPUT}dashboard-trial.png`, fullPage: true });

    // Keyboard on the slider, as a person would: Home goes to the first epoch.
    await page.locator('#epoch').focus();
    await page.keyboard.press('Home');
    await expect.poll(values).toEqual(expected(1));
    expect(await page.locator('#epoch-value').textContent()).toBe('1');
    expect(new URL(page.url()).searchParams.get('epoch')).toBe('1');
    expect(await page.locator('#saturation-plot text.subtitle').textContent()).toContain('epoch 1 of 3');
    const widths = async () =>
      evalBars.evaluateAll((bars) => bars.map((b) => Number(b.getAttribute('width'))));
    const atFirst = await widths();
    await page.keyboard.press('ArrowRight');
    await expect.poll(values).toEqual(expected(2));
    expect(await widths()).not.toEqual(atFirst);
    await page.screenshot({ path: `${OUTPUT}dashboard-trial-epoch-2.png`, fullPage: true });

    // The layer with markup characters in its name is text in the plot.
    expect(await page.locator('#saturation-plot text', { hasText: 'dense<"out">' }).count()).toBe(1);
  });

  it('follows a running trial: a new epoch extends the slider and, at the last epoch, the bars', async ({
    db,
  }) => {
    // The first test left this trial at epoch 2 of 3.
    const trialId = running.trialIds[0]!;
    const resolution = running.configs[0]!.resolution;
    await page.goto(`${dashboard.url}trials/${trialId}`);
    expect(await page.locator('#epoch').getAttribute('max')).toBe('2');
    await ingestEvents(db.pool, [sampleEpoch(running.sweepId, trialId, running.configs[0]!, 3)]);
    await expect.poll(() => page.locator('#epoch').getAttribute('max'), { timeout: 15_000 }).toBe('3');
    const values = () =>
      page
        .locator('#saturation-plot rect.bar.eval')
        .evaluateAll((bars) => bars.map((b) => Number(b.getAttribute('data-value'))));
    await expect
      .poll(values)
      .toEqual(SAMPLE_LAYERS.map((_, i) => sampleSaturation(i, 3, resolution, 'eval')));
    expect(await page.locator('#epoch').inputValue()).toBe('3');
  });

  it('refuses a POST from the page with 405', async () => {
    const status = await page.evaluate(async () => {
      const response = await fetch('/api/sweeps', { method: 'POST', body: '{}' });
      return response.status;
    });
    expect(status).toBe(405);
  });

  it('serves plots that parse as SVG documents in the browser', async () => {
    const problems = await page.evaluate(
      async (paths) => {
        const out: string[] = [];
        for (const path of paths) {
          const text = await (await fetch(path)).text();
          const doc = new (
            globalThis as unknown as { DOMParser: BrowserDomParser }
          ).DOMParser().parseFromString(text, 'image/svg+xml');
          if (doc.querySelector('parsererror') !== null || doc.documentElement.nodeName !== 'svg')
            out.push(path);
        }
        return out;
      },
      [
        `/sweeps/${finished.sweepId}/plot.svg`,
        `/trials/${finished.trialIds[0]}/saturation.svg`,
        `/trials/${finished.trialIds[0]}/curves.svg`,
      ],
    );
    expect(problems).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
