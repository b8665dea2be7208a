/**
 * Spreads `total` trainers over `parts` GPUs as evenly as possible, larger shares first: 5 over 2 is
 * [3, 2], 4 over 3 is [2, 1, 1]. Fewer trainers than GPUs would leave a GPU idle and is refused.
 */
export function splitConcurrency(total: number, parts: number): number[] {
  if (!Number.isInteger(parts) || parts < 1) {
    throw new RangeError(`cannot split trainers over ${parts} GPUs; expected a whole number >= 1`);
  }
  if (!Number.isInteger(total) || total < parts) {
    throw new RangeError(
      `${total} trainers cannot cover ${parts} GPUs: a GPU would idle; expected at least ${parts}, one per GPU`,
    );
  }
  const base = Math.floor(total / parts);
  const extra = total % parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}
