/**
 * Checkpoint stores side by side: write and read time and stored size of one VGG16 ×1 checkpoint with
 * Adam state (32 px, 10 classes: ~180 MB), in the file store (a temporary directory) and the PostgreSQL
 * store (a temporary database on DATABASE_URL's server), alternating store by store in one run so that
 * both see the same machine load.
 *
 *   npx tsx bench/checkpoints/main.ts [--repeats 3] [--json]
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type CheckpointStore,
  FileCheckpointStore,
  PostgresCheckpointStore,
  type TrainerCheckpoint,
} from '@satfarm/checkpoints';
import { createTestDatabase } from '@satfarm/db/testing';
import { describeArchitecture } from '@satfarm/models';
import { buildModel } from '@satfarm/models/builder';
import { selectBackend } from '@satfarm/backends';
import { captureCheckpoint } from '@satfarm/training';
import * as tf from '@tensorflow/tfjs';

const { values } = parseArgs({
  options: { repeats: { type: 'string', default: '3' }, json: { type: 'boolean', default: false } },
});
const repeats = Number(values.repeats);
if (!Number.isInteger(repeats) || repeats < 1)
  throw new Error(`--repeats: got ${values.repeats}, expected >= 1`);

const TRIAL = '0123456789abcdef0123456789abcdef';

async function vgg16Checkpoint(): Promise<TrainerCheckpoint> {
  await selectBackend('wasm');
  const graph = describeArchitecture('vgg16', {
    resolution: 32,
    channels: 1,
    classes: 10,
    widthMultiplier: 1,
  });
  const { model } = buildModel(graph, { seed: 1 });
  const optimizer = tf.train.adam(1e-3);
  // One step, so that Adam's two moment slots exist for every weight, as in a real checkpoint.
  const x = tf.randomNormal([2, 32, 32, 1]);
  const y = tf.oneHot(tf.tensor1d([1, 2], 'int32'), 10);
  optimizer.minimize(() => {
    const [logits] = model.apply(x, { training: true }) as tf.Tensor[];
    return tf.losses.softmaxCrossEntropy(y, logits!);
  });
  const checkpoint = await captureCheckpoint(model, optimizer, 1, [
    {
      epoch: 1,
      trainLoss: 2.3,
      trainAccuracy: 0.1,
      testLoss: 2.3,
      testAccuracy: 0.1,
      seconds: 1,
      backend: 'wasm',
      layers: [],
    },
  ]);
  tf.dispose([x, y]);
  model.dispose();
  optimizer.dispose();
  return checkpoint;
}

interface Timing {
  writeMs: number[];
  readMs: number[];
  storedBytes: number;
}

async function time(store: CheckpointStore, checkpoint: TrainerCheckpoint, timing: Timing): Promise<void> {
  let t = performance.now();
  await store.save(TRIAL, checkpoint);
  timing.writeMs.push(performance.now() - t);
  t = performance.now();
  const loaded = await store.load(TRIAL);
  timing.readMs.push(performance.now() - t);
  if (loaded?.epoch !== checkpoint.epoch) throw new Error(`${store.description}: read back nothing`);
}

const checkpoint = await vgg16Checkpoint();
const tensorBytes = [...checkpoint.weights, ...checkpoint.optimizer].reduce(
  (n, t) => n + t.data.byteLength,
  0,
);
const dir = await mkdtemp(join(tmpdir(), 'satfarm-bench-ckpt-'));
const db = await createTestDatabase(process.env.DATABASE_URL ?? undefined);
const file = new FileCheckpointStore(dir);
const postgres = new PostgresCheckpointStore({ pool: db.pool });
const results = {
  file: { writeMs: [], readMs: [], storedBytes: 0 } as Timing,
  postgres: { writeMs: [], readMs: [], storedBytes: 0 } as Timing,
};
try {
  for (let i = 0; i < repeats; i++) {
    await time(file, checkpoint, results.file);
    await time(postgres, checkpoint, results.postgres);
  }
  results.file.storedBytes = (await stat(file.pathOf(TRIAL))).size;
  // What PostgreSQL holds for the one live checkpoint on disk (chunk rows out of line, uncompressed);
  // VACUUM FULL first, or the copies the earlier saves left for autovacuum would count too.
  await db.pool.query('VACUUM FULL satfarm_private.checkpoint_chunks');
  const { rows } = await db.pool.query<{ bytes: string }>(
    `SELECT (pg_total_relation_size('satfarm_private.checkpoint_chunks')
             + pg_total_relation_size('trial_checkpoints'))::bigint AS bytes`,
  );
  results.postgres.storedBytes = Number(rows[0]!.bytes);
} finally {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const MB = 1e6;
const summary = Object.fromEntries(
  Object.entries(results).map(([store, t]) => [
    store,
    {
      writeMsMedian: Math.round(median(t.writeMs)),
      readMsMedian: Math.round(median(t.readMs)),
      writeMBps: Math.round(tensorBytes / MB / (median(t.writeMs) / 1000)),
      readMBps: Math.round(tensorBytes / MB / (median(t.readMs) / 1000)),
      storedMB: Math.round(t.storedBytes / MB),
      writeMs: t.writeMs.map(Math.round),
      readMs: t.readMs.map(Math.round),
    },
  ]),
);
const report = {
  model: 'vgg16 ×1, 32 px, Adam',
  tensorMB: Math.round(tensorBytes / MB),
  repeats,
  ...summary,
};
if (values.json) {
  process.stdout.write(`${JSON.stringify(report)}\n`);
} else {
  process.stdout.write(
    `${report.model}: ${report.tensorMB} MB of tensors, ${repeats} saves and loads per store\n`,
  );
  for (const [store, s] of Object.entries(summary)) {
    process.stdout.write(
      `  ${store.padEnd(8)} write ${s.writeMsMedian} ms (${s.writeMBps} MB/s), read ${s.readMsMedian} ms ` +
        `(${s.readMBps} MB/s), stored ${s.storedMB} MB\n`,
    );
  }
}
