import { TrialConfig, trialIdFor } from '@satfarm/contracts';
import { describe, expect, it } from 'vitest';
import { InvalidJobError } from './errors.ts';
import { parseTrialJob } from './trial-job.ts';

const sweepId = 'a'.repeat(32);
const config = TrialConfig.parse({
  architecture: 'simple-cnn',
  resolution: 16,
  seed: 1,
  dataset: { name: 'synthetic', trainLimit: 64, testLimit: 32 },
  training: { epochs: 1, batchSize: 32 },
});

describe('parseTrialJob', () => {
  it('accepts a trial whose id is the hash of its config and fills attemptsBefore', () => {
    const trialId = trialIdFor(sweepId, config);
    expect(parseTrialJob({ sweepId, trialId, config }, trialId)).toEqual({
      sweepId,
      trialId,
      config,
      attemptsBefore: 0,
    });
  });
  it('rejects a trial id that does not match the config', () => {
    const trialId = trialIdFor(sweepId, { ...config, seed: 2 });
    expect(() => parseTrialJob({ sweepId, trialId, config })).toThrow(/is not the id of its config/);
  });
  it('rejects a job id other than the trial id', () => {
    const trialId = trialIdFor(sweepId, config);
    expect(() => parseTrialJob({ sweepId, trialId, config }, 'other')).toThrow(/job id must equal trialId/);
  });
  it('names the bad field', () => {
    const trialId = trialIdFor(sweepId, config);
    const bad = { sweepId, trialId, config: { ...config, resolution: 0 } };
    expect(() => parseTrialJob(bad, trialId)).toThrow(InvalidJobError);
    expect(() => parseTrialJob(bad, trialId)).toThrow(/config\.resolution/);
  });
});
