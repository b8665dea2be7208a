import { describe, expect, it } from 'vitest';
import { saturationPattern, type TrialSnapshot, trialScore } from './scores.ts';

function snapshot(testAccuracy: number, layerSaturations: number[]): TrialSnapshot {
  return { trialId: 't', group: 'g', resolution: 14, seed: 1, epoch: 1, testAccuracy, layerSaturations };
}

// Six feature layers, median 0.6 → bar 0.3: the last two (0.2, 0.1) are the tail; classifier last.
const TAILED = [0.8, 0.7, 0.6, 0.6, 0.2, 0.1, 0.1];
// Median 0.6 → bar 0.3; the last feature layer (0.7) is above it: no tail.
const EVEN = [0.5, 0.6, 0.7, 0.3];

describe('saturationPattern', () => {
  it('measures the tail and the mean over the feature layers, the classifier left out', () => {
    expect(saturationPattern(snapshot(0.9, TAILED))).toEqual({
      tail: 2,
      meanSaturation: expect.closeTo(0.5, 12), // (0.8 + 0.7 + 0.6 + 0.6 + 0.2 + 0.1) / 6
      featureLayers: 6,
    });
    // The classifier's own saturation changes nothing.
    expect(saturationPattern(snapshot(0.9, [...TAILED.slice(0, -1), 1]))).toEqual(
      saturationPattern(snapshot(0.9, TAILED)),
    );
    expect(saturationPattern(snapshot(0.9, [0.4]))).toEqual({ tail: 0, meanSaturation: 0, featureLayers: 0 });
  });
});

describe('trialScore', () => {
  it('accuracy: the test accuracy', () => {
    expect(trialScore('accuracy', snapshot(0.8123, TAILED))).toBe(0.8123);
  });

  it('saturation: −tail + mean saturation of the feature layers', () => {
    expect(trialScore('saturation', snapshot(0.9, TAILED))).toBeCloseTo(-2 + 0.5, 12);
    expect(trialScore('saturation', snapshot(0.9, EVEN))).toBeCloseTo(0.6, 12);
    // Accuracy plays no part.
    expect(trialScore('saturation', snapshot(0.1, EVEN))).toBe(trialScore('saturation', snapshot(0.9, EVEN)));
  });

  it('saturation: the tail decides, the mean only breaks ties', () => {
    const noTailLowMean = snapshot(0.9, [0.1, 0.1, 0.1, 0.5]);
    const tailHighMean = snapshot(0.9, [1, 1, 1, 1, 1, 0.4, 0.5]); // median 1 → bar 0.5: 0.4 is a tail of 1
    expect(saturationPattern(tailHighMean).tail).toBe(1);
    expect(trialScore('saturation', noTailLowMean)).toBeGreaterThan(trialScore('saturation', tailHighMean));
    expect(trialScore('saturation', snapshot(0.9, [0.6, 0.6, 0.6, 0.5]))).toBeGreaterThan(
      trialScore('saturation', snapshot(0.9, [0.5, 0.5, 0.5, 0.5])),
    );
  });

  it('combined: accuracy × (1 − tail / feature layers)', () => {
    expect(trialScore('combined', snapshot(0.8, TAILED))).toBeCloseTo(0.8 * (1 - 2 / 6), 12);
    // Without a tail, combined is accuracy.
    expect(trialScore('combined', snapshot(0.8, EVEN))).toBe(0.8);
    expect(trialScore('combined', snapshot(0.8, [0.3]))).toBe(0.8);
    // A tail must be bought back in accuracy.
    expect(trialScore('combined', snapshot(0.85, TAILED))).toBeLessThan(
      trialScore('combined', snapshot(0.6, EVEN)),
    );
  });

  it('refuses what it cannot score, naming the trial', () => {
    expect(() => trialScore('accuracy', snapshot(1.2, EVEN))).toThrow(/testAccuracy of trial t epoch 1/);
    expect(() => trialScore('accuracy', snapshot(Number.NaN, EVEN))).toThrow(/testAccuracy/);
    expect(() => trialScore('accuracy', snapshot(0.5, []))).toThrow(/at least one tracked layer/);
    expect(() => trialScore('saturation', snapshot(0.5, [0.5, 1.5]))).toThrow(/layerSaturations/);
    expect(() => trialScore('combined', { ...snapshot(0.5, EVEN), epoch: 0 })).toThrow(/epoch/);
    expect(() => trialScore('best' as never, snapshot(0.5, EVEN))).toThrow(
      /'accuracy', 'saturation' or 'combined'/,
    );
  });
});
