import { parseArgs } from 'node:util';

/** Everything a chaos run is told, normalised once. */
export interface ChaosOptions {
  /** Trials in the sweep (rounded up to a multiple of the 3 resolutions). */
  trials: number;
  epochs: number;
  /** Worker processes kept alive (each trains one trial at a time). */
  workers: number;
  /** Mean time between worker SIGKILLs (each wait is drawn from 0.5–1.5 × this). */
  killEveryMs: number;
  /** Also run the same sweep without faults first, for `calmWallSeconds`. */
  calm: boolean;
  /** Search the grid by successive halving (η = 2, a rung after every doubling of epochs) instead. */
  search: boolean;
  /** The whole run gives up (and fails) after this long. */
  timeoutSeconds: number;
  /** Must name a Redis database index of its own: the run FLUSHDBs it. */
  redisUrl: string;
  /** Any database URL of the PostgreSQL server to use; each phase creates (and drops) its own database. */
  databaseUrl: string;
  /** Seed of the fault schedule (victims, waits). */
  seed: number;
  json: boolean;
  /** Where to write each service's log lines (`<id>.jsonl`) after each phase, for post-mortems. */
  logDir: string | undefined;
}

export class ChaosUsageError extends Error {
  override readonly name = 'ChaosUsageError';
}

/** Redis database indexes the chaos run refuses to flush: 0 is everyone's, 13 belongs to test/farm. */
const SHARED_REDIS_DBS = new Set([0, 13]);

export const CHAOS_USAGE = `npx tsx bench/chaos/main.ts [--json] [--trials N] [--epochs N] [--workers N]
    [--kill-every-ms N] [--no-calm] [--search] [--timeout-s N] [--seed N] [--redis-url URL] [--database-url URL]
    [--log-dir DIR]`;

function wholeNumber(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    throw new ChaosUsageError(`${flag}: got ${JSON.stringify(text)}; expected a whole number >= ${min}`);
  }
  return n;
}

export function parseChaosArgs(argv: readonly string[], env: NodeJS.ProcessEnv): ChaosOptions {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new ChaosUsageError(`${error instanceof Error ? error.message : String(error)}\n${CHAOS_USAGE}`);
  }
  const redisUrl = values['redis-url'] ?? env.SATFARM_CHAOS_REDIS_URL ?? 'redis://127.0.0.1:6379/12';
  const db = redisDbIndex(redisUrl);
  if (SHARED_REDIS_DBS.has(db)) {
    throw new ChaosUsageError(
      `--redis-url: database ${db} is shared (0: default, 13: test/farm) and the run flushes it; ` +
        'give a URL ending in a free index, e.g. redis://127.0.0.1:6379/12',
    );
  }
  return {
    trials: wholeNumber('--trials', values.trials, 1),
    epochs: wholeNumber('--epochs', values.epochs, 1),
    workers: wholeNumber('--workers', values.workers, 1),
    killEveryMs: wholeNumber('--kill-every-ms', values['kill-every-ms'], 200),
    calm: values['no-calm'] !== true,
    search: values.search === true,
    timeoutSeconds: wholeNumber('--timeout-s', values['timeout-s'], 10),
    redisUrl,
    databaseUrl: values['database-url'] ?? env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/postgres',
    seed: wholeNumber('--seed', values.seed, 0),
    json: values.json === true,
    logDir: values['log-dir'],
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      json: { type: 'boolean' },
      trials: { type: 'string', default: '36' },
      epochs: { type: 'string', default: '4' },
      workers: { type: 'string', default: '3' },
      'kill-every-ms': { type: 'string', default: '3000' },
      'no-calm': { type: 'boolean' },
      search: { type: 'boolean' },
      'timeout-s': { type: 'string', default: '1200' },
      seed: { type: 'string', default: '1' },
      'redis-url': { type: 'string' },
      'database-url': { type: 'string' },
      'log-dir': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
}

function redisDbIndex(url: string): number {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ChaosUsageError('--redis-url: not a URL; expected redis://host:port/index');
  }
  const text = parsed.pathname.replace(/^\//, '');
  const db = text === '' ? 0 : Number(text);
  if (!Number.isInteger(db) || db < 0) {
    throw new ChaosUsageError(`--redis-url: database ${JSON.stringify(text)} is not an index >= 0`);
  }
  return db;
}
