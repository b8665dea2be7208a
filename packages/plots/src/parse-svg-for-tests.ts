import { DOMParser, type Element, onWarningStopParsing } from '@xmldom/xmldom';

/**
 * Parses an SVG string as strict XML (any warning is an error, as a picky viewer would treat it) and
 * checks the root; used by this package's tests only.
 */
export function parseSvg(svg: string): Element {
  const doc = new DOMParser({ onError: onWarningStopParsing }).parseFromString(svg, 'image/svg+xml');
  const root = doc.documentElement;
  if (root === null || root.tagName !== 'svg') throw new Error(`root element is ${root?.tagName}, not svg`);
  if (root.getAttribute('xmlns') !== 'http://www.w3.org/2000/svg')
    throw new Error('root lacks the SVG namespace');
  return root;
}

/** Descendants named `tag` whose class list holds every class in `classes`. */
export function byClass(root: Element, tag: string, ...classes: string[]): Element[] {
  return Array.from(root.getElementsByTagName(tag)).filter((e) => {
    const list = (e.getAttribute('class') ?? '').split(/\s+/);
    return classes.every((c) => list.includes(c));
  });
}

/** Text content of every `<text>` in the document (what a reader sees), joined by newlines. */
export function visibleText(root: Element): string {
  return Array.from(root.getElementsByTagName('text'))
    .map((t) => t.textContent ?? '')
    .join('\n');
}
