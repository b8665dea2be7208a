import { describe, expect, it } from 'vitest';
import { AggregatorOptionError, aggregatorSettings } from './aggregator-settings.ts';

describe('aggregatorSettings', () => {
  it('fills in the defaults, concurrency from the batch size', () => {
    expect(aggregatorSettings({})).toEqual({
      batchSize: 256,
      flushMs: 25,
      concurrency: 512,
      lockDurationMs: 60_000,
      stalledIntervalMs: 30_000,
    });
    expect(aggregatorSettings({ batchSize: 10, flushMs: undefined })).toMatchObject({
      batchSize: 10,
      concurrency: 20,
    });
    expect(aggregatorSettings({ batchSize: 10, concurrency: 3 }).concurrency).toBe(3);
  });

  it.each([
    ['batchSize', 0],
    ['flushMs', 2.5],
    ['concurrency', -1],
    ['lockDurationMs', Number.NaN],
  ] as const)('names %s when it is %s, and what would be valid', (name, value) => {
    expect(() => aggregatorSettings({ [name]: value })).toThrow(AggregatorOptionError);
    expect(() => aggregatorSettings({ [name]: value })).toThrow(
      `${name}: got ${value}, expected an integer >= 1`,
    );
  });
});
