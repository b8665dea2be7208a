import { InvalidArgumentError } from './errors.ts';

export interface TailOptions {
  /** A layer is "far below" when its saturation is under `ratio` × the network's median (default 0.5). */
  ratio?: number;
}

/**
 * Length of the saturation *tail*: the longest run of trailing layers (in forward order, the
 * classifier excluded by the caller) whose saturation is far below the network's typical level —
 * under `ratio` (default ½) times the median saturation of all the given layers. Such layers add
 * compute but, in the saturation papers' reading, little accuracy. The median keeps one very
 * high or low layer from moving the bar; a run must reach the last layer to count as a tail.
 */
export function tailLength(saturations: readonly number[], opts: TailOptions = {}): number {
  const ratio = opts.ratio ?? 0.5;
  if (!(ratio > 0 && ratio <= 1)) {
    throw new InvalidArgumentError('ratio', ratio, 'a number in (0, 1]');
  }
  if (saturations.length === 0) return 0;
  for (const s of saturations) {
    if (!(s >= 0 && s <= 1)) throw new InvalidArgumentError('saturation', s, 'a number in [0, 1]');
  }
  const bar = ratio * median(saturations);
  let length = 0;
  for (let i = saturations.length - 1; i >= 0 && saturations[i]! < bar; i--) length++;
  return length;
}

/**
 * The tail of a network from its tracked layers in forward order, the classifier left out: its output
 * is the answer (k is bounded by the number of classes), not a representation, so its saturation
 * neither joins the median nor ends the run. `classifier` must name the last layer.
 */
export function networkTailLength(
  layers: readonly { name: string; saturation: number }[],
  classifier: string,
  opts: TailOptions = {},
): number {
  const last = layers.at(-1);
  if (last?.name !== classifier) {
    throw new InvalidArgumentError(
      'classifier',
      classifier,
      `the name of the last tracked layer (${last === undefined ? 'there is none' : `'${last.name}'`})`,
    );
  }
  return tailLength(
    layers.slice(0, -1).map((l) => l.saturation),
    opts,
  );
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
