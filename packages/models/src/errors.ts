import { InvalidValueError } from '@satfarm/contracts';
/**
 * Errors raised when describing an architecture. Messages name the offending value and what
 * would be valid, so the CLI and the sweep validator can show them as they are.
 */

/** The input resolution would shrink some feature map below 1×1 (an invalid config: never retried). */
export class ResolutionTooSmallError extends InvalidValueError {
  override readonly name = 'ResolutionTooSmallError';
  readonly resolution: number;
  readonly minimum: number;
  readonly architecture: string;
  constructor(architecture: string, resolution: number, minimum: number) {
    super(
      'resolution',
      resolution,
      `at least ${minimum} for ${architecture}`,
      `resolution ${resolution} is too small for ${architecture}: its feature maps would shrink below 1×1; ` +
        `the smallest valid resolution is ${minimum}`,
    );
    this.architecture = architecture;
    this.resolution = resolution;
    this.minimum = minimum;
  }
}

/** An architecture name or option that no architecture accepts. */
export class InvalidArchitectureOptionError extends InvalidValueError {
  override readonly name = 'InvalidArchitectureOptionError';
}
