/**
 * A SWEEP argument that fits several sweeps — a name two specs share, or a name that is also the start
 * of another sweep's id — is refused by every command that takes one, listing the candidates (id, name,
 * created time), instead of silently picking the newer one or letting the name shadow the id. An exact
 * full id always wins. The sweeps have no trials, so nothing could be enqueued even by mistake.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSweepSpec } from '@satfarm/contracts';
import { createSweep } from '@satfarm/db';
import type { TestDatabase } from '@satfarm/db/testing';
import { it } from '@satfarm/db/vitest';
import { afterAll, describe, expect } from 'vitest';
import { refusal, satfarm, TEST_REDIS_URL } from './satfarm-cli.ts';

const spec = (name: string, seed: number) =>
  parseSweepSpec({
    name,
    dataset: { name: 'synthetic', trainLimit: 64, testLimit: 32 },
    grid: { architecture: ['simple-cnn'], resolution: [16], seed: [seed] },
    training: { epochs: 1, batchSize: 32 },
  });

let dir: string;
/** Two sweeps named `shared-name`, older and newer; a sweep named like the start of `target`'s id. */
const ids = { older: '', newer: '', target: '', shadow: '' };
let prefix = '';

it.beforeAll(async ({ db }) => {
  dir = await mkdtemp(join(tmpdir(), 'satfarm-ambiguous-'));
  const make = async (name: string, seed: number, createdAt: string) => {
    const { sweepId } = await createSweep(db.pool, spec(name, seed), []);
    await db.pool.query('UPDATE sweeps SET created_at = $2 WHERE id = $1', [sweepId, createdAt]);
    return sweepId;
  };
  ids.older = await make('shared-name', 1, '2026-01-01T10:00:00Z');
  ids.newer = await make('shared-name', 2, '2026-02-01T10:00:00Z');
  ids.target = await make('the-target', 3, '2026-03-01T10:00:00Z');
  prefix = ids.target.slice(0, 6);
  ids.shadow = await make(prefix, 4, '2026-04-01T10:00:00Z');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const env = (db: TestDatabase) => ({ DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL });

/** Every command that takes SWEEP, with `ref` in its place. */
const COMMANDS: [string, (ref: string) => string[]][] = [
  ['sweep status', (ref) => ['sweep', 'status', ref]],
  ['sweep resume', (ref) => ['sweep', 'resume', ref]],
  ['sweep cancel', (ref) => ['sweep', 'cancel', ref]],
  ['results', (ref) => ['results', ref]],
  ['best', (ref) => ['best', ref]],
  ['report', (ref) => ['report', ref, '--out', join(dir, 'report.md')]],
  ['plot', (ref) => ['plot', ref, '--out', join(dir, 'plot.svg')]],
];

describe('a name two sweeps share', () => {
  it.concurrent.for(COMMANDS)('is refused by %s, listing both', async ([_, args], { db }) => {
    const run = await satfarm(args('shared-name'), env(db), { timeoutMs: 30_000 });
    expect(refusal(run).why).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([
      `satfarm: "shared-name" is ambiguous: 2 sweeps match it by name or id prefix (` +
        `${ids.newer} "shared-name", created 2026-02-01T10:00:00Z; ` +
        `${ids.older} "shared-name", created 2026-01-01T10:00:00Z); give the full sweep id`,
    ]);
  });
});

describe('a sweep named like the start of another sweep id', () => {
  it.concurrent.for(COMMANDS)('is refused by %s, listing both', async ([_, args], { db }) => {
    const run = await satfarm(args(prefix), env(db), { timeoutMs: 30_000 });
    expect(refusal(run).why).toBe('');
    expect(run.stderr).toMatch(
      new RegExp(
        `^satfarm: "${prefix}" is ambiguous: 2 sweeps match it by name or id prefix \\(` +
          `${ids.shadow} "${prefix}", created 2026-04-01T10:00:00Z; ` +
          `${ids.target} "the-target", created 2026-03-01T10:00:00Z\\); give the full sweep id$`,
        'm',
      ),
    );
  });
});

describe('an exact full id', () => {
  it('always wins', async ({ db }) => {
    for (const id of [ids.older, ids.target]) {
      const run = await satfarm(['sweep', 'status', id], env(db), { timeoutMs: 30_000 });
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(new RegExp(`^[\\w-]+ \\(${id.slice(0, 8)}\\): running; no trials`));
      expect(run.code).toBe(0);
    }
  });
});
