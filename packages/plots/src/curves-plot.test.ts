import { describe, expect, it } from 'vitest';
import { trialCurvesSvg } from './curves-plot.ts';
import { byClass, parseSvg, visibleText } from './parse-svg-for-tests.ts';

const epochs = [1, 2, 3, 4].map((epoch) => ({
  epoch,
  trainLoss: 2 / epoch,
  testLoss: 2.2 / epoch,
  trainAccuracy: 0.5 + 0.1 * epoch,
  testAccuracy: 0.45 + 0.1 * epoch,
}));

describe('trialCurvesSvg', () => {
  it('draws loss and accuracy for train and test, one point per epoch', () => {
    const root = parseSvg(trialCurvesSvg(epochs));
    for (const series of ['train-loss', 'test-loss', 'train-accuracy', 'test-accuracy']) {
      const [g] = byClass(root, 'g', 'series', series);
      expect(g, series).toBeDefined();
      expect(g!.getElementsByTagName('path')).toHaveLength(1);
      expect(g!.getElementsByTagName('circle')).toHaveLength(4);
    }
    expect(visibleText(root)).toContain('epoch');
  });

  it('skips non-finite values (a diverged epoch) instead of writing NaN into the SVG', () => {
    const svg = trialCurvesSvg([
      ...epochs,
      { epoch: 5, trainLoss: Number.NaN, testLoss: Number.NaN, trainAccuracy: 0.1, testAccuracy: 0.1 },
    ]);
    expect(svg).not.toContain('NaN');
    const root = parseSvg(svg);
    expect(byClass(root, 'g', 'series', 'train-loss')[0]!.getElementsByTagName('circle')).toHaveLength(4);
  });

  it('says so when no epoch is stored yet', () => {
    const root = parseSvg(trialCurvesSvg([]));
    expect(byClass(root, 'g', 'series')[0]!.getElementsByTagName('path')).toHaveLength(0);
    expect(visibleText(root)).toContain('no epoch stored yet');
  });
});
