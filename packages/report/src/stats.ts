/**
 * The statistics every conclusion of the report rests on, in one place: a cell is summarised by its
 * mean, sample standard deviation and count over seeds, and a difference counts as *beyond noise*
 * only when it exceeds twice its standard error. With three seeds per side that is a loose screen
 * (Welch's t-test would give p ≈ 0.12 at exactly 2 SE with 4 degrees of freedom), not a significance
 * test: "beyond noise" means "larger than the seeds alone would plausibly make it", no more.
 */
export interface Stats {
  mean: number;
  /** Sample standard deviation (n − 1); null with fewer than two values. */
  std: number | null;
  n: number;
}

/** How many standard errors a difference must exceed to count as beyond noise. */
export const NOISE_FACTOR = 2;

/** Mean, sample standard deviation and count; undefined for no values. */
export function summarize(values: readonly number[]): Stats | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, std: null, n };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  return { mean, std: Math.sqrt(variance), n };
}

/** A difference and what the seeds say about it. */
export interface Difference {
  /** a − b (or the mean paired difference). */
  diff: number;
  /** Its standard error; null when a side has a single value (then it cannot be judged). */
  se: number | null;
  /** |diff| > NOISE_FACTOR·se (and at least one step); null when se is unknown. */
  beyondNoise: boolean | null;
  /** The step the difference had to reach as well (0: none); set when it fell short of it. */
  shortOfStep?: number;
}

/**
 * `step`: the resolution of a quantity that moves in steps (a layer's saturation k / width moves by
 * 1 / width). Seeds that agree exactly have a standard deviation of 0, which would let a difference
 * smaller than one step count as beyond noise; it must be at least one step as well.
 */
function judged(diff: number, se: number | null, step = 0): Difference {
  if (se === null) return { diff, se, beyondNoise: null };
  const pastSe = Math.abs(diff) > NOISE_FACTOR * se;
  const pastStep = Math.abs(diff) >= step - 1e-12;
  return { diff, se, beyondNoise: pastSe && pastStep, ...(pastSe && !pastStep ? { shortOfStep: step } : {}) };
}

/** Two independent sets of trials (different cells): SE = √(s₁²/n₁ + s₂²/n₂). */
export function compareIndependent(a: Stats, b: Stats, step = 0): Difference {
  const se = a.std === null || b.std === null ? null : Math.sqrt(a.std ** 2 / a.n + b.std ** 2 / b.n);
  return judged(a.mean - b.mean, se, step);
}

/** Paired differences within the same trials (e.g. projected − unprojected): SE = s_d / √n. */
export function comparePaired(differences: readonly number[]): Difference | undefined {
  const s = summarize(differences);
  if (s === undefined) return undefined;
  return judged(s.mean, s.std === null ? null : s.std / Math.sqrt(s.n));
}

/** "beyond noise" / "within noise" / "not judged (one seed)". */
export function noiseWord(d: Difference): string {
  return d.beyondNoise === null ? 'not judged (one seed)' : d.beyondNoise ? 'beyond noise' : 'within noise';
}

/** `72.3 ± 1.2 %` (percent of a 0..1 value); `72.3 %` without a spread. */
export function pctPm(s: Stats | undefined, digits = 1): string {
  if (s === undefined) return '–';
  const m = (s.mean * 100).toFixed(digits);
  return s.std === null ? `${m} %` : `${m} ± ${(s.std * 100).toFixed(digits)} %`;
}

/** A signed difference of 0..1 values in points: `+1.3 pts`, `−0.4 pts`. */
export function pts(x: number, digits = 1): string {
  const rounded = Math.abs(x * 100).toFixed(digits);
  // −0.0 reads as a loss that is not there.
  const sign = Number(rounded) === 0 ? '±' : x >= 0 ? '+' : '−';
  return `${sign}${rounded} pts`;
}

/** `+1.3 ± 0.8 pts` for a summary of differences. */
export function ptsPm(s: Stats | undefined, digits = 1): string {
  if (s === undefined) return '–';
  return s.std === null ? pts(s.mean, digits) : `${pts(s.mean, digits)} ± ${(s.std * 100).toFixed(digits)}`;
}

/** `−2.1 pts (2 SE 1.4, beyond noise)`: a difference with its yardstick and verdict. */
export function judgedPts(d: Difference, digits = 1): string {
  if (d.se === null) return `${pts(d.diff, digits)} (one seed: not judged)`;
  // A difference and a yardstick that round alike get one more digit, so the verdict can be read off them.
  const shown = (Math.abs(d.diff) * 100).toFixed(digits);
  const alike = shown === (NOISE_FACTOR * d.se * 100).toFixed(digits) && Number(shown) !== 0;
  if (alike && digits < 3) return judgedPts(d, digits + 1);
  const step =
    d.shortOfStep === undefined
      ? ''
      : `, under one step of k / width (${(d.shortOfStep * 100).toFixed(digits)})`;
  return `${pts(d.diff, digits)} (2 SE ${(NOISE_FACTOR * d.se * 100).toFixed(digits)}${step}, ${noiseWord(d)})`;
}

/** Group rows by a key, keeping first-seen order. */
export function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = groups.get(k);
    if (list) list.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}
