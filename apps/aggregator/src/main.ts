// Standalone aggregator process: `node --import tsx apps/aggregator/src/main.ts`. Reads REDIS_URL and
// DATABASE_URL (parsed once here, as every satfarm entry does); SIGTERM/SIGINT commit what is buffered
// and exit 0.
import { escapeControlCharacters, parseEnvironment } from '@satfarm/contracts';
import { DEFAULT_DATABASE_URL } from '@satfarm/db';
import { DEFAULT_REDIS_URL } from '@satfarm/queue';
import { startAggregator } from './start-aggregator.ts';

try {
  const env = parseEnvironment(process.env);
  const aggregator = await startAggregator({
    redisUrl: env.REDIS_URL ?? DEFAULT_REDIS_URL,
    databaseUrl: env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
  });
  const stop = () => {
    aggregator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (error) {
  // Messages quote paths, URLs and ids: their control characters are escaped, as the CLI does.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`satfarm aggregator: ${escapeControlCharacters(message)}\n`);
  process.exit(1);
}
