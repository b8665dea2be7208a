import { describe, expect, it } from 'vitest';
import { cellsOf } from './cells.ts';
import { convergenceOf, convergenceSection } from './convergence.ts';
import { curve, emptyInput, trial } from './test-fixture.ts';

function input(curves: number[][]) {
  return emptyInput({
    trials: curves.map((c, i) => trial(28, i + 1, c.at(-1)!)),
    epochs: curves.flatMap((c, i) => curve(28, i + 1, c)),
  });
}

describe('convergence', () => {
  it('calls a curve flat when the last epochs gain less than the seeds’ spread', () => {
    const data = input([
      [0.6, 0.7, 0.8, 0.79, 0.81, 0.8],
      [0.62, 0.71, 0.78, 0.8, 0.78, 0.81],
      [0.61, 0.69, 0.8, 0.77, 0.79, 0.78],
    ]);
    const [row] = convergenceOf(data, cellsOf(data));
    expect(row?.curve.map((v) => Math.round(v * 1000))).toEqual([610, 700, 793, 787, 793, 797]);
    expect(row?.lateGain?.beyondNoise).toBe(false);
    const md = convergenceSection(data, cellsOf(data)).join('\n');
    expect(md).toContain(
      'in none of the 1 cells was a rise beyond noise, so by this measure the test curves had flattened',
    );
    expect(md).toContain(
      '| simple-cnn | widthMultiplier=1,depth=7 | 28 | 3 | 61.0 | 70.0 | 79.3 | 78.7 | 79.3 | 79.7 |',
    );
    // The fixture's training accuracy rises by a point an epoch in every trial: still fitting.
    expect(md).toContain('those networks were still fitting their training images');
  });

  it('says which cells were still rising beyond noise', () => {
    const data = input([
      [0.5, 0.6, 0.7, 0.8],
      [0.52, 0.61, 0.72, 0.81],
      [0.5, 0.62, 0.71, 0.79],
    ]);
    const md = convergenceSection(data, cellsOf(data)).join('\n');
    expect(md).toContain(
      'the rise was beyond noise in 1 of 1 cells (simple-cnn (widthMultiplier=1,depth=7) at 28 px), which had not flattened',
    );
  });
});
