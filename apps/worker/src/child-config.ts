import { BackendName } from '@satfarm/contracts';
import { z } from 'zod';
import type { CompiledWorkerOptions } from './worker-options.ts';

/**
 * The settings a sandboxed trainer process needs. BullMQ forks the child itself, so they travel in one
 * environment variable that the parent sets on the fork (the child's only configuration input).
 */
export const CHILD_CONFIG_ENV = 'SATFARM_TRIAL_PROCESSOR_CONFIG';

export const ChildConfig = z.object({
  redisUrl: z.string().min(1),
  prefix: z.string().min(1),
  databaseUrl: z.string().min(1),
  /** `postgres` or `file:/dir`, as compileWorkerOptions checked it. */
  checkpointStore: z.string().min(1),
  checkpointDir: z.string().min(1),
  fashionMnistDir: z.string().min(1),
  cifar10Dir: z.string().min(1).optional(),
  backend: BackendName,
  /** `<workerId>` of the parent, or `<workerId>/gpu<id>` when it runs one BullMQ worker per GPU. */
  workerId: z.string().min(1),
  datasetCacheSize: z.number().int().min(0),
  /** The GPU (nvidia-smi's id) this process is pinned to through its environment, if any. */
  gpu: z.string().min(1).optional(),
});
export type ChildConfig = z.infer<typeof ChildConfig>;

/** The config of the trainer processes of one BullMQ worker: `workerId` is that worker's name. */
export function childConfigOf(
  options: CompiledWorkerOptions,
  worker: { workerId: string; gpu?: string | undefined } = { workerId: options.workerId },
): ChildConfig {
  return ChildConfig.parse({ ...options, workerId: worker.workerId, gpu: worker.gpu });
}

export function encodeChildConfig(config: ChildConfig): string {
  return JSON.stringify(config);
}

export function decodeChildConfig(text: string | undefined): ChildConfig {
  if (text === undefined || text === '') {
    throw new Error(
      `${CHILD_CONFIG_ENV} is not set: the trial processor runs only inside a worker started by startWorker`,
    );
  }
  return ChildConfig.parse(JSON.parse(text));
}
