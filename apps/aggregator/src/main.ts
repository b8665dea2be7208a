// Standalone aggregator process: `node --import tsx apps/aggregator/src/main.ts`. Reads REDIS_URL and
// DATABASE_URL (parsed once here, as every satfarm entry does); SIGTERM/SIGINT commit what is buffered
// and exit 0.
import { parseEnvironment } from '@satfarm/contracts';
import { DEFAULT_DATABASE_URL } from '@satfarm/db';
import { DEFAULT_REDIS_URL } from '@satfarm/queue';
import { runService } from '@satfarm/service';
import { startAggregator } from './start-aggregator.ts';

await runService('satfarm aggregator', () => {
  const env = parseEnvironment(process.env);
  return startAggregator({
    redisUrl: env.REDIS_URL ?? DEFAULT_REDIS_URL,
    databaseUrl: env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
  });
});
