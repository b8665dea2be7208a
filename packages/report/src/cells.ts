import type { ReportInput, VariantKey } from './report-input.ts';
import { groupBy, type Stats, summarize } from './stats.ts';

/** `simple-cnn (widthMultiplier=1,depth=7)`. */
export const variantLabel = (r: VariantKey): string => `${r.architecture} (${r.variant})`;
export const variantKey = (r: VariantKey): string => `${r.architecture}\u0000${r.variant}`;
export const cellKey = (r: VariantKey & { resolution: number }): string =>
  `${variantKey(r)}\u0000${r.resolution}`;

/** One (architecture, variant, resolution) of the sweep, summarised over its completed seeds. */
export interface Cell extends VariantKey {
  resolution: number;
  /** Completed trials (seeds). */
  n: number;
  /** All trials of the cell, whatever their status. */
  planned: number;
  testAccuracy: Stats | undefined;
  /** Per trial: mean eval saturation over its tracked layers (classifier included) at the last epoch. */
  evalSaturation: Stats | undefined;
  /** Per trial: tail length at the last epoch. */
  tail: Stats | undefined;
  tailRange: [number, number] | undefined;
  /** Training and evaluation seconds per trial (stored epochs). */
  seconds: Stats | undefined;
  /** Start to end of each trial, projection test included. */
  wallSeconds: Stats | undefined;
}

/** The cells of a sweep in grid order: architecture, variant, then resolution ascending. */
export function cellsOf(input: ReportInput): Cell[] {
  const byCell = groupBy(input.trials, cellKey);
  const cells: Cell[] = [];
  for (const trials of byCell.values()) {
    const first = trials[0];
    if (first === undefined) continue;
    const done = trials.filter((t) => t.status === 'completed');
    const ids = new Set(input.epochs.filter((e) => cellKey(e) === cellKey(first)).map((e) => e.trialId));
    const lastEpochs = [...ids].map((id) => {
      const rows = input.epochs.filter((e) => e.trialId === id);
      return rows.reduce((a, b) => (b.epoch > a.epoch ? b : a));
    });
    const tails = lastEpochs.map((e) => e.tailLength).filter((t) => t !== null);
    const saturations = [
      ...groupBy(
        input.layers.filter((l) => cellKey(l) === cellKey(first)),
        (l) => l.trialId,
      ).values(),
    ].map((rows) => rows.reduce((a, r) => a + r.evalSaturation, 0) / rows.length);
    cells.push({
      architecture: first.architecture,
      variant: first.variant,
      resolution: first.resolution,
      n: done.length,
      planned: trials.length,
      testAccuracy: summarize(done.map((t) => t.testAccuracy).filter((a) => a !== null)),
      evalSaturation: summarize(saturations),
      tail: summarize(tails),
      tailRange: tails.length > 0 ? [Math.min(...tails), Math.max(...tails)] : undefined,
      seconds: summarize(done.map((t) => t.seconds).filter((s) => s !== null)),
      wallSeconds: summarize(
        done.map((t) => t.wallSeconds).filter((s): s is number => s !== null && s !== undefined),
      ),
    });
  }
  return cells.sort(
    (a, b) =>
      a.architecture.localeCompare(b.architecture) ||
      a.variant.localeCompare(b.variant, undefined, { numeric: true }) ||
      a.resolution - b.resolution,
  );
}

/** The variants of a sweep in order, each with its cells by ascending resolution. */
export function variantsOf(cells: readonly Cell[]): { key: VariantKey; cells: Cell[] }[] {
  return [...groupBy(cells, variantKey).values()].map((list) => ({
    key: { architecture: list[0]!.architecture, variant: list[0]!.variant },
    cells: list,
  }));
}

/** "3 seeds" when every cell has the same count, otherwise "2–3 seeds". */
export function seedsPhrase(cells: readonly Cell[]): string {
  const ns = cells.map((c) => c.n);
  if (ns.length === 0) return 'no seeds';
  const lo = Math.min(...ns);
  const hi = Math.max(...ns);
  return lo === hi ? `${lo} seed${lo === 1 ? '' : 's'}` : `${lo}–${hi} seeds`;
}
