import { format } from 'd3-format';

const pct0 = format('.0%');
const pct1 = format('.1%');

/** 0.8734 → "87.3%"; null → "–". */
export function percent(value: number | null | undefined, digits: 0 | 1 = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return digits === 0 ? pct0(value) : pct1(value);
}

/** Mean ± std in percentage points, "87.3% ± 1.2"; the std is left out when unknown (one seed). */
export function meanStd(mean: number | null, std: number | null): string {
  if (mean === null) return '–';
  return std === null ? percent(mean) : `${percent(mean)} ± ${(std * 100).toFixed(1)}`;
}
