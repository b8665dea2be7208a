import type { FarmBenchOptions } from './options.ts';

/** One way of running the farm that the bench compares with the others in the same run. */
export interface Variant {
  /** `baseline`: worker processes run from another checkout (`--baseline-root`), for before/after. */
  tree: 'current' | 'baseline';
  concurrency: number;
  prewarm: boolean;
  /** The aggregator's flushMs; null: its default. */
  flushMs: number | null;
}

export function variantsOf(
  o: Pick<FarmBenchOptions, 'concurrency' | 'prewarm' | 'flushMs' | 'baselineRoot'>,
): Variant[] {
  return o.concurrency.flatMap((concurrency) =>
    o.flushMs.flatMap((flushMs) => [
      ...o.prewarm.map((prewarm) => ({ tree: 'current' as const, concurrency, prewarm, flushMs })),
      // The baseline's workers start as that checkout does by default (it may know no --no-prewarm).
      ...(o.baselineRoot === undefined
        ? []
        : [{ tree: 'baseline' as const, concurrency, prewarm: false, flushMs }]),
    ]),
  );
}

export function variantLabel(v: Variant): string {
  const flush = v.flushMs === null ? '' : `, aggregator flush ${v.flushMs} ms`;
  if (v.tree === 'baseline') return `baseline, concurrency ${v.concurrency}${flush}`;
  return `concurrency ${v.concurrency}${v.prewarm ? '' : ', no prewarm'}${flush}`;
}

export function sameVariant(a: Variant, b: Variant): boolean {
  return (
    a.tree === b.tree && a.concurrency === b.concurrency && a.prewarm === b.prewarm && a.flushMs === b.flushMs
  );
}
