import { z } from 'zod';

export class AggregatorOptionError extends Error {
  override readonly name = 'AggregatorOptionError';
}

const PositiveInteger = z.number().int().min(1);

/** The aggregator's tuning, parsed once with zod like every other option set (defaults here). */
const AggregatorSettingsSchema = z.object({
  batchSize: PositiveInteger.default(256),
  flushMs: PositiveInteger.default(25),
  /** Default 2 × batchSize (see AggregatorOptions.concurrency). */
  concurrency: PositiveInteger.optional(),
  lockDurationMs: PositiveInteger.default(60_000),
  stalledIntervalMs: PositiveInteger.default(30_000),
});

export type AggregatorSettings = Required<z.output<typeof AggregatorSettingsSchema>>;

/** Validated settings with defaults filled in; a bad one is named with its value and what is valid. */
export function aggregatorSettings(
  options: Partial<Record<keyof AggregatorSettings, number | undefined>>,
): AggregatorSettings {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const parsed = AggregatorSettingsSchema.safeParse(given);
  if (!parsed.success) {
    const name = String(parsed.error.issues[0]!.path[0]);
    throw new AggregatorOptionError(`${name}: got ${String(given[name])}, expected an integer >= 1`);
  }
  return { ...parsed.data, concurrency: parsed.data.concurrency ?? 2 * parsed.data.batchSize };
}
