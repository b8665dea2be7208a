import { z } from 'zod';

/**
 * Control characters: C0 (NUL to US, tab and newline included), DEL and C1 (U+0080 to U+009F). Printed
 * raw they move a terminal's cursor, retitle its window, ring its bell or hide text; no name needs them.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_CHARACTERS = new RegExp(CONTROL_CHARACTER.source, 'g');

/** What a name may hold, for error messages. */
export const PRINTABLE_TEXT_RULE =
  'printable text: letters, digits, spaces and punctuation, no control characters (C0 such as NUL, tab, newline, ESC or BEL; DEL; C1)';

/** `text` with each control character shown as a `\x1b`-style escape: safe for a terminal and a log line. */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** The index of the first control character in `text`, or -1. */
export function firstControlCharacter(text: string): number {
  return text.search(CONTROL_CHARACTER);
}

/**
 * A free-text name a person chooses and others see printed (a sweep's name, a worker id): 1 to 200
 * characters without control characters. The issue names the offending character and its position and
 * carries the value escaped (`params.got`), since the raw value is exactly what must not be printed.
 */
export const PrintableName = z
  .string()
  .min(1)
  .max(200)
  .superRefine((value, ctx) => {
    const at = firstControlCharacter(value);
    if (at < 0) return;
    const character = escapeControlCharacters(value.charAt(at));
    const shown = `"${escapeControlCharacters(value)}"`;
    ctx.addIssue({
      code: 'custom',
      input: value,
      message: `control character ${character} at position ${at} in ${shown}; expected ${PRINTABLE_TEXT_RULE}`,
      params: {
        problem: `control character ${character} at position ${at}`,
        got: shown,
        expected: PRINTABLE_TEXT_RULE,
      },
    });
  });
export type PrintableName = z.infer<typeof PrintableName>;
