import { interpolateYlGnBu, schemeTableau10 } from 'd3-scale-chromatic';

/** Fonts every browser and SVG viewer has some version of; DejaVu Sans is Debian's default. */
export const FONT =
  "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif";

export const INK = '#1f2933';
export const MUTED = '#616e7c';
export const GRID = '#e4e7eb';
export const PANEL = '#ffffff';

/** Train and eval are told apart by hue (Tableau 10, designed for categories), bars by length. */
export const MODE_COLOURS = { train: schemeTableau10[1]!, eval: schemeTableau10[0]! } as const;
export const ACCURACY_COLOUR = schemeTableau10[0]!;
export const TEST_COLOUR = schemeTableau10[1]!;
export const RECOMMENDED_COLOUR = schemeTableau10[4]!;
/** A border layer (rfa_toolbox's rule, see @satfarm/saturation): predicted unproductive. */
export const UNPRODUCTIVE_COLOUR = schemeTableau10[2]!;

/**
 * Saturation 0 → pale yellow, 1 → deep blue (ColorBrewer YlGnBu, perceptually ordered and readable
 * in greyscale): a low-saturation tail shows up as a pale block at a glance.
 */
export function saturationColour(saturation: number): string {
  return interpolateYlGnBu(0.05 + 0.95 * Math.max(0, Math.min(1, saturation)));
}

/** Dark or light text, whichever reads on a saturation cell. */
export function inkOn(saturation: number): string {
  return saturation > 0.55 ? '#ffffff' : INK;
}

/**
 * Width of a label in px without a DOM to measure it: the average advance of a sans-serif face is
 * about 0.58 em (digits and lower case); generous so labels never collide.
 */
export function textWidth(label: string, fontSize: number): number {
  return label.length * fontSize * 0.6;
}
