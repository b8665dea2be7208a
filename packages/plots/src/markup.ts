/**
 * A tiny SVG string builder. Text reaches the output only through `text()` (escaped) and attribute
 * values are always escaped, so names from the database (quotes, `<`, `&`) can never break the XML.
 */
export class Markup {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type AttrValue = string | number | boolean | null | undefined;
export type Attrs = Record<string, AttrValue>;
export type Child = Markup | null | undefined | false | readonly Child[];

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for XML/HTML content and attribute values; also drops characters XML 1.0 forbids. */
export function escapeXml(value: string): string {
  return (
    value
      // biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters XML 1.0 forbids
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!)
  );
}

/** Escaped text content. */
export function text(value: string | number): Markup {
  return new Markup(escapeXml(String(value)));
}

/** Coordinates rounded to 0.01 px: smaller files, stable output. */
export function num(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** One element; attributes with null/undefined/false values are left out, numbers are rounded. */
export function el(tag: string, attrs: Attrs = {}, ...children: Child[]): Markup {
  let open = `<${tag}`;
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    const rendered = value === true ? key : typeof value === 'number' ? num(value) : escapeXml(value);
    open += ` ${key}="${rendered}"`;
  }
  const inner = flatten(children);
  return new Markup(inner === '' ? `${open}/>` : `${open}>${inner}</${tag}>`);
}

/** Several siblings as one piece of markup. */
export function group(...children: Child[]): Markup {
  return new Markup(flatten(children));
}

function flatten(children: readonly Child[]): string {
  let out = '';
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    out += child instanceof Markup ? child.value : flatten(child as readonly Child[]);
  }
  return out;
}
