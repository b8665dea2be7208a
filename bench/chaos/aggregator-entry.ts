// The aggregator as the chaos run starts it: `satfarm aggregator` with its own prefix and short locks, so
// the results a killed aggregator held come back within seconds instead of the production 60 s.
//   node --import tsx bench/chaos/aggregator-entry.ts --redis-url URL --database-url URL --prefix P
import { parseArgs } from 'node:util';
import { startAggregator } from '@satfarm/aggregator';
import { runService } from '@satfarm/service';

const { values } = parseArgs({
  options: {
    'redis-url': { type: 'string' },
    'database-url': { type: 'string' },
    prefix: { type: 'string' },
    'lock-duration-ms': { type: 'string', default: '4000' },
    'stalled-interval-ms': { type: 'string', default: '1000' },
  },
  strict: true,
});

await runService('chaos aggregator', () => {
  if (!values['redis-url'] || !values['database-url'] || !values.prefix) {
    throw new Error('give --redis-url, --database-url and --prefix');
  }
  return startAggregator({
    redisUrl: values['redis-url'],
    databaseUrl: values['database-url'],
    prefix: values.prefix,
    flushMs: 20,
    lockDurationMs: Number(values['lock-duration-ms']),
    stalledIntervalMs: Number(values['stalled-interval-ms']),
  });
});
