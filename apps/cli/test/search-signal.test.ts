import { searchSignalSnapshots } from '@satfarm/db';
import {
  createTestDatabase,
  insertSampleSweep,
  SAMPLE_EPOCHS,
  SAMPLE_LAYERS,
  type SampleSweep,
  sampleAccuracy,
  sampleSaturation,
  type TestDatabase,
} from '@satfarm/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

let db: TestDatabase;
let sample: SampleSweep;
const env = () => ({ DATABASE_URL: db.url });

beforeAll(async () => {
  db = await createTestDatabase();
  // simple-cnn at 14 and 28 px, seeds 1 and 2, 3 epochs; 28 px is more accurate at every epoch.
  sample = await insertSampleSweep(db.pool, { name: 'signal sample' });
});
afterAll(async () => {
  await db?.drop();
});

describe('searchSignalSnapshots', () => {
  it('reads every epoch of every completed trial with its eval saturations in layer order', async () => {
    const snapshots = await searchSignalSnapshots(db.pool, sample.sweepId);
    expect(snapshots).toHaveLength(sample.trialIds.length * SAMPLE_EPOCHS);
    const { rows } = await db.pool.query<{ variant: string }>(
      'SELECT DISTINCT variant FROM trials WHERE sweep_id = $1',
      [sample.sweepId],
    );
    for (const s of snapshots) {
      expect(s.group).toBe(`simple-cnn (${rows[0]!.variant})`);
      expect(s.testAccuracy).toBeCloseTo(sampleAccuracy(s.resolution, s.seed, s.epoch), 12);
      expect(s.layerSaturations).toEqual(
        SAMPLE_LAYERS.map((_, layer) =>
          expect.closeTo(sampleSaturation(layer, s.epoch, s.resolution, 'eval'), 12),
        ),
      );
    }
    expect(snapshots.map((s) => `${s.resolution}/${s.seed}/${s.epoch}`).slice(0, 4)).toEqual([
      '14/1/1',
      '14/1/2',
      '14/1/3',
      '14/2/1',
    ]);
  });

  it('refuses an epoch whose layers have a gap', async () => {
    const gappy = await insertSampleSweep(db.pool, { name: 'signal gap' });
    const trialId = gappy.trialIds[1]!;
    await db.pool.query(
      `DELETE FROM layer_metrics WHERE trial_id = $1 AND epoch = 2 AND layer_index = 3 AND mode = 'eval'`,
      [trialId],
    );
    await expect(searchSignalSnapshots(db.pool, gappy.sweepId)).rejects.toThrow(
      `trial ${trialId} epoch 2: eval saturation of layers [0, 1, 2, 4, 5, 6]`,
    );
  });
});

describe('satfarm search-signal', () => {
  it('prints the signal tables and the replays of every rule with η 2 and 3', async () => {
    const run = await runCli(['search-signal', 'signal sample'], env());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `Sweep signal sample (${sample.sweepId.slice(0, 8)}): 4 of 4 trials completed.`,
    );
    expect(run.stdout).toContain('recommended 28 px (best 28 px)');
    expect(run.stdout).toContain('| accuracy | 1 | 1 |');
    expect(run.stdout).toMatch(/\| 1 \| 1\.00 \| 28 ✓ \|/);
    for (const rule of ['accuracy', 'saturation', 'combined']) {
      expect(run.stdout).toMatch(new RegExp(`\\| ${rule} \\| 2 \\| 1 \\| 1, 2 \\| all 1:`));
      expect(run.stdout).toMatch(new RegExp(`\\| ${rule} \\| 3 \\| 1 \\| 1 \\| all 1:`));
    }
  });

  it('prints JSON, and replays one rule with the given rung settings', async () => {
    const run = await runCli(
      [
        'search-signal',
        sample.sweepId,
        '--json',
        '--rule',
        'accuracy',
        '--reduction-factor',
        '2',
        '--min-epochs',
        '2',
      ],
      env(),
    );
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as {
      completed: number;
      signal: { tolerance: number; groups: { gridResolution: number }[] };
      replays: { rule: string; rungEpochs: number[]; totals: { same: number; epochsTrained: number } }[];
    };
    expect(out.completed).toBe(4);
    expect(out.signal.tolerance).toBe(0.005);
    expect(out.signal.groups.map((g) => g.gridResolution)).toEqual([28]);
    expect(out.replays).toHaveLength(1);
    // 4 trials to epoch 2, then the best 2 (both 28 px) to epoch 3: 2·2 + 2·3.
    expect(out.replays[0]).toMatchObject({
      rule: 'accuracy',
      rungEpochs: [2],
      totals: { same: 1, epochsTrained: 10 },
    });
  });

  it('says so while no trial has completed', async () => {
    await insertSampleSweep(db.pool, { name: 'signal running', finished: false });
    const run = await runCli(['search-signal', 'signal running'], env());
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('0 of 4 trials completed');
    expect(run.stdout).toContain('Nothing to measure until a trial completes.');
  });

  it('names a wrong flag (exit 2) and an unknown sweep (exit 1)', async () => {
    const rule = await runCli(['search-signal', 'signal sample', '--rule', 'best'], env());
    expect(rule.code).toBe(2);
    expect(rule.stderr).toContain('--rule: got "best"; expected accuracy, saturation, combined');
    const tolerance = await runCli(['search-signal', 'signal sample', '--tolerance', '101'], env());
    expect(tolerance.code).toBe(2);
    expect(tolerance.stderr).toContain('--tolerance: got 101');
    const eta = await runCli(['search-signal', 'signal sample', '--reduction-factor', '1'], env());
    expect(eta.code).toBe(2);
    const missing = await runCli(['search-signal', 'no such sweep'], env());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no such sweep');
  });
});
