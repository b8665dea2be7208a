import { splitConcurrency } from './concurrency-split.ts';
import { type GpuPin, gpuPinningEnv } from './gpu-pinning.ts';

/** One BullMQ worker on `trials` that startWorker runs, and what its trainer processes are told. */
export interface TrialWorkerPlan {
  /** The BullMQ worker's name and its trainers' workerId: `<workerId>`, or `<workerId>/gpu<id>`. */
  name: string;
  /** The GPU its trainers are pinned to (nvidia-smi's id), if any. */
  gpu: string | undefined;
  pciBusId: string | undefined;
  /** Its trainer processes (BullMQ `concurrency`). */
  concurrency: number;
  /** Added to the trainer processes' environment. */
  env: Record<string, string>;
}

/**
 * Without GPUs: one worker with all `concurrency` trainers, environment unchanged. With GPUs: one worker
 * per GPU, `concurrency` spread evenly over them (5 over 2 → 3 and 2), each pinned to its GPU.
 */
export function planTrialWorkers(
  workerId: string,
  concurrency: number,
  pins: readonly GpuPin[] | undefined,
): TrialWorkerPlan[] {
  if (pins === undefined) {
    return [{ name: workerId, gpu: undefined, pciBusId: undefined, concurrency, env: {} }];
  }
  const shares = splitConcurrency(concurrency, pins.length);
  return pins.map((pin, i) => ({
    name: `${workerId}/gpu${pin.gpu}`,
    gpu: pin.gpu,
    pciBusId: pin.pciBusId,
    concurrency: shares[i]!,
    env: gpuPinningEnv(pin),
  }));
}
