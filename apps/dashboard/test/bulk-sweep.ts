import { createHash } from 'node:crypto';
import { type Pool, withTransaction } from '@satfarm/db';

export interface BulkSweepOptions {
  name: string;
  trials: number;
  /** Epochs stored per trial (all trials completed). */
  epochs: number;
  /** Layers stored per epoch, each in train and eval mode. */
  layers: number;
}

/**
 * A big finished sweep written straight into the tables with generate_series: the real write path
 * (one event at a time) would take minutes for 10,000 trials, and the dashboard only reads rows.
 * Two architectures × five resolutions × trials/10 seeds; accuracy rises with resolution.
 */
export async function insertBulkSweep(pool: Pool, options: BulkSweepOptions): Promise<string> {
  const sweepId = createHash('sha256').update(`bulk:${options.name}`).digest('hex').slice(0, 32);
  await withTransaction(pool, async (client) => {
    await client.query(
      `INSERT INTO sweeps (id, name, spec, trial_count, status, completed_at)
       VALUES ($1, $2, '{}'::jsonb, $3, 'completed', now())`,
      [sweepId, options.name, options.trials],
    );
    await client.query(
      `INSERT INTO trials (id, sweep_id, ordinal, config, architecture, variant, resolution, seed, width_multiplier,
                           planned_epochs, status, attempts, backend, device, last_epoch,
                           final_train_loss, final_train_accuracy, final_test_loss, final_test_accuracy)
       SELECT left(encode(sha256(convert_to($1 || ':' || i, 'UTF8')), 'hex'), 32), $1, i,
              jsonb_build_object('saturation', jsonb_build_object('delta', 0.99)),
              arch, 'widthMultiplier=1', res, seed, 1, $3, 'completed', 1, 'wasm', 'cpu', $3,
              0.4, 0.9, 0.5, 0.7 + res / 1000.0 + (seed % 7) / 1000.0
       FROM generate_series(0, $2::int - 1) AS i,
            LATERAL (SELECT CASE WHEN i < $2::int / 2 THEN 'simple-cnn' ELSE 'vgg11' END AS arch,
                            16 + 8 * ((i / ($2::int / 10)) % 5) AS res,
                            1 + i % ($2::int / 10) AS seed) AS g`,
      [sweepId, options.trials, options.epochs],
    );
    await client.query(
      `INSERT INTO epoch_metrics (trial_id, epoch, attempt, train_loss, train_accuracy, test_loss, test_accuracy,
                                  seconds, backend)
       SELECT t.id, e, 1, 1.0 / e, 0.9, 1.1 / e, t.final_test_accuracy, 2.5, 'wasm'
       FROM trials t, generate_series(1, $2::int) AS e WHERE t.sweep_id = $1`,
      [sweepId, options.epochs],
    );
    await client.query(
      `INSERT INTO layer_metrics (trial_id, epoch, layer_index, mode, attempt, layer_name, kind, width,
                                  receptive_field, unproductive, k, saturation)
       SELECT t.id, e, l, m, 1, 'conv' || (l + 1), 'conv', 32, 3 + 2 * l, 3 + 2 * l >= t.resolution,
              8 + l, (8 + l) / 32.0
       FROM trials t, generate_series(1, $2::int) AS e, generate_series(0, $3::int - 1) AS l,
            (VALUES ('train'), ('eval')) AS modes(m)
       WHERE t.sweep_id = $1`,
      [sweepId, options.epochs, options.layers],
    );
  });
  return sweepId;
}
