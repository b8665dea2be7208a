export { MicroBatcher, type Settled } from './batcher.ts';
export {
  type AggregatorHandle,
  AggregatorOptionError,
  type AggregatorOptions,
  type AggregatorStats,
  startAggregator,
} from './start-aggregator.ts';
