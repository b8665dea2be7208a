import { escapeControlCharacters } from '@satfarm/contracts';

/** Plain-text tables and bars for people; scripts use --json. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((cell) => printable(String(cell))))];
  // A loop, not Math.max(...column): spreading 200k cells overflows the call stack.
  const widths = header.map(() => 0);
  for (const r of cells) {
    for (let c = 0; c < widths.length; c += 1) widths[c] = Math.max(widths[c]!, (r[c] ?? '').length);
  }
  const line = (r: string[]) =>
    r
      .map((cell, c) => (isNumeric(cell) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

function isNumeric(s: string): boolean {
  return s !== '' && /^[-+]?[\d.]+%?$/.test(s);
}

/** A horizontal bar for a value in [0, 1], e.g. a layer's saturation. */
export function bar(fraction: number, width = 20): string {
  const clamped = Math.max(0, Math.min(1, fraction));
  const eighths = Math.round(clamped * width * 8);
  const full = Math.floor(eighths / 8);
  const partial = eighths % 8;
  return (
    '█'.repeat(full) + (partial ? '▏▎▍▌▋▊▉'[partial - 1] : '') + ' '.repeat(width - full - (partial ? 1 : 0))
  );
}

export function percent(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)}%`;
}

/**
 * Text from users or the database made safe for a terminal: control characters (C0, DEL, C1), which
 * could move the cursor, retitle the window or ring the bell, are shown as `\x1b`-style escapes.
 * Everything a command prints that it did not write itself goes through here (tables do it per cell).
 */
export function printable(text: string): string {
  return escapeControlCharacters(text);
}

/**
 * One value as a JSON line for scripts. JSON.stringify escapes C0 but passes DEL and C1 through raw;
 * as `\u` escapes they mean the same to a JSON reader and nothing to a terminal.
 */
export function jsonLine(value: unknown): string {
  return `${jsonText(value)}\n`;
}

/** `JSON.stringify(value)` with DEL and C1 escaped too (see jsonLine), for JSON written in pieces. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
