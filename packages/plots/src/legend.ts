import { el, group, type Markup, text } from './markup.ts';
import { INK, textWidth } from './theme.ts';

export interface LegendItem {
  label: string;
  /** A fill (colour or `url(#pattern)`) for a square swatch… */
  fill?: string;
  /** …or a short line in this colour. */
  line?: string;
  dashed?: boolean;
  stroke?: string;
}

/** A row of swatches with labels starting at (x, y); returns the markup and the width it took. */
export function legendRow(
  items: readonly LegendItem[],
  x: number,
  y: number,
): { markup: Markup; width: number } {
  let cursor = x;
  const parts: Markup[] = [];
  for (const item of items) {
    const swatch =
      item.line !== undefined
        ? el('line', {
            x1: cursor,
            x2: cursor + 18,
            y1: y,
            y2: y,
            stroke: item.line,
            'stroke-width': 2.5,
            'stroke-dasharray': item.dashed ? '5 3' : undefined,
          })
        : el('rect', {
            x: cursor,
            y: y - 6,
            width: 12,
            height: 12,
            rx: 2,
            fill: item.fill,
            stroke: item.stroke,
          });
    const offset = item.line !== undefined ? 24 : 18;
    parts.push(
      swatch,
      el('text', { x: cursor + offset, y: y + 4, 'font-size': 12, fill: INK }, text(item.label)),
    );
    cursor += offset + textWidth(item.label, 12) + 16;
  }
  return { markup: group(parts), width: cursor - x };
}
