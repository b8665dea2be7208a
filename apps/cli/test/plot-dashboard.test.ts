import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { insertSampleSweep, SAMPLE_LAYERS, type SampleSweep, type TestDatabase } from '@satfarm/db/testing';
import { it } from '@satfarm/db/vitest';
import { afterAll, describe, expect } from 'vitest';
import { runCli } from './run-cli.ts';

let sample: SampleSweep;
let dir: string;
const env = (db: TestDatabase) => ({ DATABASE_URL: db.url });

it.beforeAll(async ({ db }) => {
  sample = await insertSampleSweep(db.pool, { name: 'plot "me" <now>' });
  dir = mkdtempSync(join(tmpdir(), 'satfarm-plot-'));
});
afterAll(async () => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('satfarm plot', () => {
  it('draws a trial by id prefix at a chosen epoch', async ({ db }) => {
    const out = join(dir, 'trial.svg');
    const trialId = sample.trialIds[0]!;
    const run = await runCli(['plot', trialId.slice(0, 10), '--epoch', '2', '--out', out], env(db));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`wrote ${out}: trial ${trialId.slice(0, 8)}`);
    expect(run.stdout).toContain('epoch 2 of 3');
    const svg = readFileSync(out, 'utf8');
    expect(svg.match(/class="bar eval"/g)).toHaveLength(SAMPLE_LAYERS.length);
    expect(svg).toContain('epoch 2 of 3');
  });

  it('draws a sweep by name, and to standard output with --out -', async ({ db }) => {
    const run = await runCli(['plot', 'plot "me" <now>', '--out', '-'], env(db));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(run.stdout).toContain('plot &quot;me&quot; &lt;now&gt;');
    expect(run.stdout.match(/class="cell"/g)).toHaveLength(SAMPLE_LAYERS.length * 2);
  });

  it('names the mistake: an epoch the trial has not stored, an unknown target', async ({ db }) => {
    const tooLate = await runCli(
      ['plot', sample.trialIds[1]!, '--epoch', '7', '--out', join(dir, 'x.svg')],
      env(db),
    );
    expect(tooLate.code).toBe(2);
    expect(tooLate.stderr).toContain('--epoch: got 7');
    expect(tooLate.stderr).toContain('stored epochs are 1–3');
    const unknown = await runCli(['plot', 'nothing-like-this', '--out', join(dir, 'x.svg')], env(db));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no trial or sweep matches "nothing-like-this"');
    expect(unknown.stderr).toContain('plot "me" <now>');
  });
});

describe('satfarm dashboard', () => {
  it('serves the dashboard on 127.0.0.1 until SIGTERM', async ({ db }) => {
    const bin = fileURLToPath(new URL('../bin/satfarm.mjs', import.meta.url));
    const child = spawn(process.execPath, [bin, 'dashboard', '--port', '0'], {
      env: { ...process.env, ...env(db) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /serving (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('close', () => reject(new Error(`dashboard exited before serving: ${out}`)));
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('plot &quot;me&quot; &lt;now&gt;');
      expect((await fetch(url, { method: 'POST' })).status).toBe(405);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
