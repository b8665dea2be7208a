export { checkRedis } from './check-redis.ts';
export { createRedisConnection, type RedisConnectionOptions, redisConnectionOptions } from './connection.ts';
export { InvalidJobError, InvalidRedisUrlError, RedisAuthError, RedisUnreachableError } from './errors.ts';
export { type FarmQueues, openFarmQueues } from './farm-queues.ts';
export { type LogFields, type Logger, jsonLineLogger, noopLogger, withFields } from '@satfarm/contracts';
export { DEFAULT_PREFIX, QUEUE_NAMES, type QueueName } from './names.ts';
export { DEFAULT_REDIS_URL, redactRedisUrl } from './redis-url.ts';
export {
  createResultsQueue,
  parseResultEvent,
  publishResult,
  publishResults,
  resultJobId,
  type ResultsQueue,
} from './results-queue.ts';
export { parseTrialJob, TrialJob, type TrialJobInput, trialJobId } from './trial-job.ts';
export {
  createTrialsQueue,
  type EnqueueOptions,
  enqueueTrials,
  type QueueOptions,
  type TrialsQueue,
} from './trials-queue.ts';
export {
  LIVE_STATES,
  removeTrialJob,
  setTrialJobCancelled,
  type TrialJobState,
  trialJobStates,
} from './trial-jobs.ts';
