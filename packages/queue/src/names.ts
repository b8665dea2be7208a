/** The two queues of the farm: trials to train, and results on their way to PostgreSQL. */
export const QUEUE_NAMES = { trials: 'trials', results: 'results' } as const;
export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

/**
 * BullMQ key prefix. Every queue, worker and producer takes a `prefix` option so that tests (and two
 * farms sharing one Redis) never see each other's jobs.
 */
export const DEFAULT_PREFIX = 'satfarm';
