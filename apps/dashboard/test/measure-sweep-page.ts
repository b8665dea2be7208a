/**
 * Load figures for the sweep page of a 10,000-trial sweep (not a test: timings depend on the machine).
 *
 *   npx tsx apps/dashboard/test/measure-sweep-page.ts [--requests 150] [--concurrency 30] [--trials 10000]
 *     [--module /abs/path/to/other/dashboard/src/index.ts]
 *
 * Writes a throw-away database (cloned from the test template, dropped afterwards), starts the
 * dashboard in a child process (as `satfarm dashboard` runs: its own event loop, its own pool) and
 * fetches the sweep page and the sweep API over loopback, a bounded number of requests at a fixed
 * concurrency, while probing /healthz every 100 ms; prints bytes and latency percentiles.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createTestDatabase } from '@satfarm/db/testing';
import type { startDashboard as StartDashboard } from '@satfarm/dashboard';
import { insertBulkSweep } from './bulk-sweep.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '150' },
    concurrency: { type: 'string', default: '30' },
    trials: { type: 'string', default: '10000' },
    serve: { type: 'string' },
    // Another copy of the dashboard's src/index.ts (an older commit's, to measure before a change).
    module: { type: 'string', default: '@satfarm/dashboard' },
  },
});

if (values.serve !== undefined) {
  // The child: serve until the parent closes stdin.
  const { startDashboard } = (await import(values.module)) as { startDashboard: typeof StartDashboard };
  const dashboard = await startDashboard({ databaseUrl: values.serve, port: 0 });
  process.stdout.write(`${dashboard.url}\n`);
  process.stdin.resume();
  process.stdin.once('end', () => void dashboard.close());
} else {
  await measure(Number(values.requests), Number(values.concurrency), Number(values.trials));
}

async function measure(requests: number, concurrency: number, trials: number): Promise<void> {
  const db = await createTestDatabase();
  try {
    const started = performance.now();
    const sweepId = await insertBulkSweep(db.pool, { name: 'bulk', trials, epochs: 3, layers: 7 });
    await db.pool.query('ANALYZE');
    process.stdout.write(
      `inserted ${trials} trials (3 epochs, 7 layers) in ${ms(performance.now() - started)}\n`,
    );
    const child = spawn(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), '--serve', db.url, '--module', values.module],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    try {
      const base = await new Promise<string>((resolve, reject) => {
        child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
        child.once('exit', (code) => reject(new Error(`dashboard exited (${code})`)));
      });
      for (const path of [`sweeps/${sweepId}`, `sweeps/${sweepId}?page=100`, `api/sweeps/${sweepId}`]) {
        await measurePath(new URL(path, base), new URL('healthz', base), requests, concurrency, sweepId);
      }
    } finally {
      child.stdin.end();
      await new Promise((resolve) => child.once('exit', resolve));
    }
  } finally {
    await db.drop();
  }
}

async function measurePath(url: URL, health: URL, requests: number, concurrency: number, sweepId: string) {
  const first = await fetch(url);
  const bytes = (await first.arrayBuffer()).byteLength;
  const failures: string[] = [];
  const probes: number[] = [];
  let loadDone = false;
  // /healthz once every 100 ms while the load runs: how long does a probe wait behind it?
  const probe = (async () => {
    while (!loadDone) {
      probes.push(await timed(health, failures));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const started = performance.now();
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < requests) {
      next += 1;
      latencies.push(await timed(url, failures));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wall = performance.now() - started;
  loadDone = true;
  await probe;
  process.stdout.write(
    `${url.pathname.replace(sweepId, ':id')}${url.search}: ${first.status}, ${(bytes / 1024).toFixed(1)} KiB; ` +
      `${requests} requests at ${concurrency} concurrent in ${ms(wall)}: ` +
      `p50 ${ms(pct(latencies, 0.5))}, p95 ${ms(pct(latencies, 0.95))}, max ${ms(pct(latencies, 1))}; ` +
      `/healthz meanwhile (${probes.length} probes): p50 ${ms(pct(probes, 0.5))}, max ${ms(pct(probes, 1))}\n`,
  );
  const byKind = new Map<string, number>();
  for (const f of failures) byKind.set(f, (byKind.get(f) ?? 0) + 1);
  for (const [kind, n] of byKind) process.stdout.write(`  failed: ${n} × ${kind}\n`);
}

/** Milliseconds to fetch `url` whole; a failure (status or socket) is noted and still timed. */
async function timed(url: URL, failures: string[]): Promise<number> {
  const t = performance.now();
  try {
    const response = await fetch(url);
    await response.arrayBuffer();
    if (!response.ok) failures.push(`${url.pathname.split('/')[1]}: ${response.status}`);
  } catch (error) {
    failures.push(`${url.pathname.split('/')[1]}: ${String((error as Error).cause ?? error)}`);
  }
  return performance.now() - t;
}

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] ?? Number.NaN;
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`;
}
