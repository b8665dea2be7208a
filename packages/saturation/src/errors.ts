import { InvalidValueError } from '@satfarm/contracts';
/**
 * Errors raised by the saturation math. Each names the offending argument, its value and what
 * would have been valid, so a caller (CLI, trainer) can show the message as-is.
 * (Plain fields rather than constructor parameter properties, so the files stay erasable TypeScript.)
 */

/** An argument has the wrong length or shape for the declared dimensions. */
export class ShapeMismatchError extends Error {
  override readonly name = 'ShapeMismatchError';
  readonly field: string;
  readonly actual: number;
  readonly expected: number;
  constructor(field: string, actual: number, expected: number) {
    super(`${field} has length ${actual}, expected ${expected}`);
    this.field = field;
    this.actual = actual;
    this.expected = expected;
  }
}

/** A scalar argument is outside its valid range (bad delta, k, width, kernel size, …). */
export class InvalidArgumentError extends InvalidValueError {
  override readonly name = 'InvalidArgumentError';
}

/** A receptive-field graph refers to a node that is not defined before it. */
export class UnknownLayerInputError extends Error {
  override readonly name = 'UnknownLayerInputError';
  readonly layer: string;
  readonly input: string;
  constructor(layer: string, input: string) {
    super(
      `Layer '${layer}' lists input '${input}', which is not a layer defined before it ` +
        `(nodes must be in topological order; use inputs [] for the network input)`,
    );
    this.layer = layer;
    this.input = input;
  }
}
