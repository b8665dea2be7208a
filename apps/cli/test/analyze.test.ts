import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'satfarm-analyze-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Samples whose population covariance has exactly the eigenvalues `spectrum`, rotated by a Householder
 * reflection and shifted by a non-zero mean: ±a_i·e_i for every axis gives covariance diag(a_i²/d).
 */
function knownSpectrumCsv(spectrum: number[], mean: number[]): string {
  const d = spectrum.length;
  const v = Array.from({ length: d }, (_, i) => Math.sin(i + 1));
  const norm = Math.hypot(...v);
  const u = v.map((x) => x / norm);
  const reflect = (x: number[]) => {
    const dot = x.reduce((s, xi, i) => s + xi * u[i]!, 0);
    return x.map((xi, i) => xi - 2 * dot * u[i]!);
  };
  const rows: string[] = [spectrum.map((_, i) => `f${i}`).join(',')];
  spectrum.forEach((lambda, i) => {
    const a = Math.sqrt(lambda * d);
    for (const sign of [1, -1]) {
      const e = Array.from({ length: d }, (_, j) => (j === i ? sign * a : 0));
      rows.push(
        reflect(e)
          .map((x, j) => (x + mean[j]!).toPrecision(17))
          .join(','),
      );
    }
  });
  return `${rows.join('\n')}\n`;
}

describe('satfarm analyze', () => {
  const spectrum = [50, 30, 15, 3.5, 1, 0.3, 0.2];
  const mean = [1000, -3, 7, 0.5, 42, -100, 12];

  it('returns the exact k and spectrum of data with a known covariance and a non-zero mean', async () => {
    const file = join(dir, 'known.csv');
    await writeFile(file, knownSpectrumCsv(spectrum, mean));
    const run = await runCli(['analyze', file, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.samples).toBe(14);
    expect(out.width).toBe(7);
    // cumulative share: .50 .80 .95 .985 .995 → the textbook rule needs 5 to reach 99 %
    expect(out.k).toBe(5);
    expect(out.saturation).toBeCloseTo(5 / 7, 12);
    out.eigenvalues.forEach((ev: number, i: number) => {
      expect(ev).toBeCloseTo(spectrum[i]!, 8);
    });

    const delve = await runCli(['analyze', file, '--json', '--k-rule', 'delve']);
    expect(JSON.parse(delve.stdout).k).toBe(4);
    const loose = await runCli(['analyze', file, '--json', '--delta', '0.9']);
    expect(JSON.parse(loose.stdout).k).toBe(3);
  });

  it.each([
    ['ragged.csv', '1,2,3\n4,5\n', /line 2 has 2 fields; expected 3/],
    ['words.csv', 'a,b\n1,2\n3,x\n', /line 3, column 2: "x" is not a finite number/],
    ['empty.csv', 'a,b\n', /no data rows/],
  ])('refuses %s with one line naming the problem', async (name, text, message) => {
    const file = join(dir, name);
    await writeFile(file, text);
    const run = await runCli(['analyze', file, '--json']);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  });

  it('refuses an unreadable file and a bad --delta', async () => {
    const missing = await runCli(['analyze', join(dir, 'nope.csv')]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/cannot read .*nope\.csv: ENOENT/);
    const file = join(dir, 'ok.csv');
    await writeFile(file, '1,2\n3,5\n');
    const delta = await runCli(['analyze', file, '--delta', '1.5']);
    expect(delta.code).toBe(2);
    expect(delta.stderr).toMatch(/--delta: got 1.5; expected a number between 0 and 1/);
  });
});
