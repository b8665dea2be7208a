import { describe, expect, it } from 'vitest';
import { renderReplayMarkdown, renderSignalMarkdown } from './markdown.ts';
import { replaySearch } from './replay.ts';
import { searchSignal } from './signal.ts';
import { gridSnapshots } from './testing.ts';

describe('renderSignalMarkdown', () => {
  it('writes the summary, the per-epoch means and one table per group', () => {
    const md = renderSignalMarkdown(searchSignal(gridSnapshots(), { tolerance: 0.005 }));
    expect(md).toContain('within 0.5 points of the best');
    expect(md).toContain('| accuracy | never | 2 |');
    expect(md).toContain('| saturation | never | 3 |');
    expect(md).toContain('| 2 | 0.30 | 2/2 · 2/2 | 0.90 | 0/2 · 1/2 | 0.30 | 2/2 · 2/2 |');
    expect(md).toContain('recommended 14 px (best 28 px)');
    expect(md).toContain('| 1 | 0.40 | 28 ✗ | 0.80 | 28 ✗ | 0.80 | 28 ✗ |');
    expect(md).toContain('| 1 | -0.20 | 20 ≈ | 1.00 | 28 ≈ | -0.20 | 20 ≈ |');
    // Every table row has as many cells as its header.
    for (const block of md.split('\n\n').filter((b) => b.startsWith('|'))) {
      const counts = block
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => line.split(/(?<!\\)\|/).length);
      expect(new Set(counts).size).toBe(1);
    }
  });

  it('keeps a group name from breaking the table', () => {
    const snapshots = gridSnapshots(['A']).map((s) => ({ ...s, group: 'a|b\n<c>' }));
    const md = renderSignalMarkdown(searchSignal(snapshots, { tolerance: 0.005 }));
    expect(md).toContain('**a\\|b &lt;c>**');
    const replay = renderReplayMarkdown([
      replaySearch(snapshots, {
        rule: 'accuracy',
        minEpochs: 1,
        reductionFactor: 2,
        epochs: 4,
        tolerance: 0.005,
      }),
    ]);
    expect(replay).toContain('| a\\|b &lt;c> | 20 ✓ | 20 | 16 / 32 | 50% |');
  });
});

describe('renderReplayMarkdown', () => {
  it('writes one row per group and a total per replay', () => {
    const snapshots = gridSnapshots();
    const md = renderReplayMarkdown([
      replaySearch(snapshots, {
        rule: 'accuracy',
        minEpochs: 1,
        reductionFactor: 2,
        epochs: 4,
        tolerance: 0.005,
      }),
      replaySearch(snapshots, {
        rule: 'saturation',
        minEpochs: 1,
        reductionFactor: 3,
        epochs: 4,
        tolerance: 0.005,
      }),
    ]);
    expect(md).toContain('| accuracy | 2 | 1 | 1, 2 | A | 20 ✓ | 20 | 16 / 32 | 50% |');
    expect(md).toContain('| accuracy | 2 | 1 | 1, 2 | all 2: 2 ✓, 0 ≈, 0 ✗ |  |  | 32 / 64 | 50% |');
    expect(md).toContain('| saturation | 3 | 1 | 1, 3 | B | 28 ≈ | 14 | 13 / 32 | 41% |');
    expect(md).toContain('| saturation | 3 | 1 | 1, 3 | all 2: 0 ✓, 1 ≈, 1 ✗ |  |  | 26 / 64 | 41% |');
  });
});
