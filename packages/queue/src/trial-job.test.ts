import { TrialConfig, trialIdFor } from '@satfarm/contracts';
import { describe, expect, it } from 'vitest';
import { InvalidJobError } from './errors.ts';
import { parseTrialJob, trialJobId } from './trial-job.ts';

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
      rung: 0,
    });
  });
  it('rejects a trial id that does not match the config', () => {
    const trialId = trialIdFor(sweepId, { ...config, seed: 2 });
    expect(() => parseTrialJob({ sweepId, trialId, config })).toThrow(/is not the id of its config/);
  });
  it('rejects a job id other than the trial id, or for a search stage its id with the rung', () => {
    const trialId = trialIdFor(sweepId, config);
    expect(() => parseTrialJob({ sweepId, trialId, config }, 'other')).toThrow(
      `job id must be '${trialId}' (trial and rung)`,
    );
    const stage = { sweepId, trialId, config, rung: 2, untilEpoch: 4 };
    expect(parseTrialJob(stage, `${trialId}-r2`)).toMatchObject({ rung: 2, untilEpoch: 4 });
    expect(trialJobId(trialId, 2)).toBe(`${trialId}-r2`);
    expect(() => parseTrialJob(stage, trialId)).toThrow(`job id must be '${trialId}-r2'`);
  });
  it('names the bad field', () => {
    const trialId = trialIdFor(sweepId, config);
    const bad = { sweepId, trialId, config: { ...config, resolution: 0 } };
    expect(() => parseTrialJob(bad, trialId)).toThrow(InvalidJobError);
    expect(() => parseTrialJob(bad, trialId)).toThrow(/config\.resolution/);
  });
});
