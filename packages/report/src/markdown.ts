/** Small Markdown helpers: tables with escaped cells, percentages, signed points. */
export function mdTable(header: string[], rows: (string | number)[][]): string {
  const cell = (v: string | number) => String(v).replaceAll('|', '\\|').replaceAll('\n', ' ');
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

export const pct = (x: number | null | undefined, digits = 1): string =>
  x === null || x === undefined ? '–' : `${(x * 100).toFixed(digits)} %`;

/** A difference of accuracies in percentage points, with its sign. */
export const points = (x: number, digits = 1): string =>
  `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(digits)} pts`;

export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
