import { describe, expect, it } from 'vitest';
import { planTrialWorkers } from './trial-worker-plan.ts';

describe('planTrialWorkers', () => {
  it('is one worker with every trainer and no pinning without GPUs', () => {
    expect(planTrialWorkers('host:1', 3, undefined)).toEqual([
      { name: 'host:1', gpu: undefined, pciBusId: undefined, concurrency: 3, env: {} },
    ]);
  });

  it('is one worker per GPU, named after it, with its share of trainers and its pinning', () => {
    const plans = planTrialWorkers('host:1', 5, [
      { gpu: '0', pciBusId: '0000:18:00.0' },
      { gpu: '3', pciBusId: undefined },
    ]);
    expect(plans.map((p) => [p.name, p.gpu, p.concurrency])).toEqual([
      ['host:1/gpu0', '0', 3],
      ['host:1/gpu3', '3', 2],
    ]);
    expect(plans[0]?.env).toMatchObject({ CUDA_VISIBLE_DEVICES: '0', DRI_PRIME: 'pci-0000_18_00_0' });
    expect(plans[1]?.env).toEqual({
      CUDA_DEVICE_ORDER: 'PCI_BUS_ID',
      CUDA_VISIBLE_DEVICES: '3',
      SATFARM_GPU: '3',
    });
  });
});
