import { UsageError } from './errors.ts';

/** Parses a numeric flag strictly: "12abc", "" and "1e999" are refused, naming the flag. */
export function numberFlag(flag: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) {
      throw new UsageError(`${flag}: got ${JSON.stringify(value)}; expected a number`);
    }
    return n;
  };
}

export function integerFlag(flag: string): (value: string) => number {
  const asNumber = numberFlag(flag);
  return (value: string) => {
    const n = asNumber(value);
    if (!Number.isInteger(n))
      throw new UsageError(`${flag}: got ${JSON.stringify(value)}; expected an integer`);
    return n;
  };
}
