import { type Child, el, type Markup, text } from './markup.ts';
import { FONT, PANEL } from './theme.ts';

/**
 * The outer <svg>: a standalone document (XML namespace, explicit size and viewBox, white
 * background) so the file opens the same in a browser, an image viewer or an editor.
 */
export function svgDocument(
  size: { width: number; height: number },
  title: string,
  className: string,
  ...children: Child[]
): Markup {
  const { width, height } = size;
  return el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      width: Math.ceil(width),
      height: Math.ceil(height),
      viewBox: `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`,
      role: 'img',
      class: className,
      'font-family': FONT,
    },
    el('title', {}, text(title)),
    el('rect', { x: 0, y: 0, width: Math.ceil(width), height: Math.ceil(height), fill: PANEL }),
    ...children,
  );
}

/** `idPrefix` checked, so it can go into ids and url(#…) references unescaped. */
export function safeIdPrefix(prefix: string | undefined, fallback: string): string {
  const value = prefix ?? fallback;
  if (!/^[A-Za-z][\w-]*$/.test(value)) {
    throw new InvalidPlotOptionError('idPrefix', value, 'a letter followed by letters, digits, "-" or "_"');
  }
  return value;
}

/** A plot option that cannot work, named with the value given and what would be valid. */
export class InvalidPlotOptionError extends Error {
  override name = 'InvalidPlotOptionError';
  constructor(
    readonly option: string,
    readonly value: unknown,
    expected: string,
  ) {
    super(`${option}: got ${JSON.stringify(value)}; expected ${expected}`);
  }
}
